package podman

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// exists runs a `podman ... exists` command: exit 0 is true, exit 1 false,
// anything else an error.
func exists(ctx context.Context, r runner.Runner, args ...string) (bool, error) {
	_, err := r.Run(ctx, podman(args...))
	if err == nil {
		return true, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 {
		return false, nil
	}
	return false, fmt.Errorf("podman %s: %w", strings.Join(args, " "), err)
}

// lines runs a podman command and returns its non-empty output lines.
func lines(ctx context.Context, r runner.Runner, args ...string) ([]string, error) {
	out, err := r.Run(ctx, podman(args...))
	if err != nil {
		return nil, fmt.Errorf("podman %s: %w", strings.Join(args, " "), err)
	}
	var res []string
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			res = append(res, l)
		}
	}
	return res, nil
}

// Network is what rbm needs of `podman network ls --format json`.
type Network struct {
	Name      string `json:"name"`
	Interface string `json:"network_interface"`
	Internal  bool   `json:"internal"`
	Subnets   []struct {
		Subnet string `json:"subnet"`
	} `json:"subnets"`
	Labels map[string]string `json:"labels"`
}

// Prefixes returns the network's IPv4 subnets.
func (n Network) Prefixes() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range n.Subnets {
		if p, err := netip.ParsePrefix(s.Subnet); err == nil && p.Addr().Is4() {
			out = append(out, p)
		}
	}
	return out
}

// Networks lists Podman's networks.
func Networks(ctx context.Context, r runner.Runner) ([]Network, error) {
	out, err := r.Run(ctx, podman("network", "ls", "--format", "json"))
	if err != nil {
		return nil, fmt.Errorf("list podman networks: %w", err)
	}
	var nets []Network
	if err := json.Unmarshal(out, &nets); err != nil {
		return nil, fmt.Errorf("parse podman network ls: %w", err)
	}
	return nets, nil
}
