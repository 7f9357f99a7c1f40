package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/enginehost"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Runtime is Docker behind engine.Runtime.
type Runtime struct{}

var _ engine.Runtime = Runtime{}

// CLI implements engine.Runtime.
func (Runtime) CLI() string { return "docker" }

// Name implements engine.Runtime.
func (Runtime) Name() string { return "Docker" }

// Plan implements engine.Runtime.
func (Runtime) Plan(cfg *config.Config) ([]engine.Step, error) { return Plan(cfg) }

// Inspect implements engine.Runtime: docker prints a JSON array already.
func (Runtime) Inspect(names ...string) runner.Cmd {
	return docker(append([]string{"container", "inspect"}, names...)...)
}

// RemoveNow implements engine.Runtime: docker rm -f kills at once.
func (Runtime) RemoveNow(name string) runner.Cmd { return docker("rm", "-f", name) }

// AmbientCaps implements engine.Runtime: Docker 20.10 gives a non-root
// user no effective capabilities (CapEff 0, CapBnd as added).
func (Runtime) AmbientCaps() bool { return false }

// Join implements engine.Runtime.
func (Runtime) Join(n engine.Names) []string { return []string{"--network", "container:" + n.NetGuard} }

func lines(ctx context.Context, r runner.Runner, args ...string) ([]string, error) {
	return engine.Lines(ctx, r, docker(args...))
}

// Containers implements engine.Runtime.
func (Runtime) Containers(ctx context.Context, r runner.Runner, n engine.Names) ([]string, error) {
	return lines(ctx, r, "ps", "-a", "--filter", "label="+n.Label(), "--format", "{{.Names}}")
}

// Monikers implements engine.Runtime.
func (Runtime) Monikers(ctx context.Context, r runner.Runner) ([]string, error) {
	out, err := lines(ctx, r, "ps", "-a", "--filter", "label="+engine.LabelKey, "--format", `{{.Label "`+engine.LabelKey+`"}}`)
	if err != nil {
		return nil, err
	}
	nets, err := Networks(ctx, r)
	if err != nil {
		return nil, err
	}
	for _, x := range nets {
		if m := x.Labels[engine.LabelKey]; m != "" {
			out = append(out, m)
		}
	}
	return out, nil
}

// network is what rbm reads of `docker network inspect`.
type network struct {
	Name     string            `json:"Name"`
	ID       string            `json:"Id"`
	Internal bool              `json:"Internal"`
	Options  map[string]string `json:"Options"`
	Labels   map[string]string `json:"Labels"`
	IPAM     struct {
		Config []struct {
			Subnet string `json:"Subnet"`
		} `json:"Config"`
	} `json:"IPAM"`
}

// Networks lists Docker's networks.
func Networks(ctx context.Context, r runner.Runner) ([]engine.Network, error) {
	ids, err := lines(ctx, r, "network", "ls", "-q")
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	out, err := r.Run(ctx, docker(append([]string{"network", "inspect"}, ids...)...))
	if err != nil {
		return nil, fmt.Errorf("inspect docker networks: %w", err)
	}
	var nets []network
	if err := json.Unmarshal(out, &nets); err != nil {
		return nil, fmt.Errorf("parse docker network inspect: %w", err)
	}
	res := make([]engine.Network, 0, len(nets))
	for _, n := range nets {
		x := engine.Network{Name: n.Name, Internal: n.Internal, Labels: n.Labels, Interface: n.Options["com.docker.network.bridge.name"]}
		if x.Interface == "" && len(n.ID) >= 12 {
			x.Interface = "br-" + n.ID[:12]
		}
		for _, c := range n.IPAM.Config {
			if p, err := netip.ParsePrefix(c.Subnet); err == nil {
				x.Subnets = append(x.Subnets, p)
			}
		}
		res = append(res, x)
	}
	return res, nil
}

// Networks implements engine.Runtime.
func (Runtime) Networks(ctx context.Context, r runner.Runner) ([]engine.Network, error) {
	return Networks(ctx, r)
}

// Remove implements engine.Runtime: the bottle, then the other containers,
// the sentry last; then the host rule (run with the sentry's image, read
// before the sentry goes); then the networks.
func (rt Runtime) Remove(ctx context.Context, r runner.Runner, n engine.Names, out io.Writer) (int, error) {
	names, err := rt.Containers(ctx, r, n)
	if err != nil {
		return 0, err
	}
	image := ""
	if c, err := r.Run(ctx, docker("container", "inspect", "--format", "{{.Config.Image}}", n.Sentry)); err == nil {
		image = strings.TrimSpace(string(c))
	}
	order := func(name string) int {
		switch name {
		case n.Bottle:
			return 0
		case n.Sentry:
			return 2
		}
		return 1
	}
	slices.SortStableFunc(names, func(a, b string) int { return order(a) - order(b) })
	removed := 0
	var errs []error
	for _, name := range names {
		c := docker("rm", "-f", name)
		if _, err := r.Run(ctx, c); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c, err))
			continue
		}
		removed++
		fmt.Fprintf(out, "removed: %s\n", c)
	}
	if image != "" {
		cfg := &config.Config{SentryImage: image}
		c := docker(hostRule(cfg, n, true)...)
		if _, err := r.Run(ctx, c); err != nil {
			errs = append(errs, fmt.Errorf("remove the host rule: %s: %w", c, err))
		} else {
			fmt.Fprintf(out, "removed: the DOCKER-USER rule %s\n", Tag(n.Moniker))
		}
	}
	k, err := engine.RemoveListed(ctx, rt, r, []string{"network", "ls", "--filter", "label=" + n.Label(), "--format", "{{.Name}}"}, []string{"network", "rm"}, out)
	return removed + k, errors.Join(append(errs, err)...)
}

// Host implements engine.Runtime.
func (Runtime) Host(ctx context.Context, r runner.Runner) (enginehost.Host, error) {
	out, err := r.Run(ctx, docker("info", "--format", "{{json .}}")) // "json" alone is Docker 23+
	if err != nil {
		return enginehost.Host{}, fmt.Errorf("docker info: %w", err)
	}
	return enginehost.ParseDocker(out)
}
