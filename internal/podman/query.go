package podman

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"

	"github.com/recipe-bottle/rbm/internal/engine"
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

func lines(ctx context.Context, r runner.Runner, args ...string) ([]string, error) {
	return engine.Lines(ctx, r, podman(args...))
}

// network is what rbm reads of `podman network ls --format json`.
type network struct {
	Name      string `json:"name"`
	Interface string `json:"network_interface"`
	Internal  bool   `json:"internal"`
	Subnets   []struct {
		Subnet string `json:"subnet"`
	} `json:"subnets"`
	Labels map[string]string `json:"labels"`
}

// Networks lists Podman's networks.
func Networks(ctx context.Context, r runner.Runner) ([]engine.Network, error) {
	out, err := r.Run(ctx, podman("network", "ls", "--format", "json"))
	if err != nil {
		return nil, fmt.Errorf("list podman networks: %w", err)
	}
	var nets []network
	if err := json.Unmarshal(out, &nets); err != nil {
		return nil, fmt.Errorf("parse podman network ls: %w", err)
	}
	res := make([]engine.Network, 0, len(nets))
	for _, n := range nets {
		x := engine.Network{Name: n.Name, Interface: n.Interface, Internal: n.Internal, Labels: n.Labels}
		for _, s := range n.Subnets {
			if p, err := netip.ParsePrefix(s.Subnet); err == nil {
				x.Subnets = append(x.Subnets, p)
			}
		}
		res = append(res, x)
	}
	return res, nil
}
