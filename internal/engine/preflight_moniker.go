package engine

import (
	"context"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/runner"
)

func cmdIP(args ...string) runner.Cmd { return runner.Cmd{Name: "ip", Args: args} }

// checkMoniker: no object of this service may exist yet (a running service,
// or leftovers of a failed start).
func (p Preflight) checkMoniker(ctx context.Context, cfg *config.Config, nets []Network, rep *Report) {
	n := NamesFor(cfg.Moniker)
	taken, err := existingObjects(ctx, p.Runtime, p.Runner, n, nets)
	if err != nil {
		rep.Problemf("%v", err)
		return
	}
	if len(taken) > 0 {
		rep.Problemf("RBRN_MONIKER=%s is in use (found %s); run `rbm stop --moniker %s` first",
			cfg.Moniker, strings.Join(taken, ", "), cfg.Moniker)
	}
}

// existingObjects lists which of the service's names (or labelled objects)
// already exist.
func existingObjects(ctx context.Context, rt Runtime, r runner.Runner, n Names, nets []Network) ([]string, error) {
	ctrs, err := Lines(ctx, r, Cmd(rt, "ps", "-a", "--format", "{{.Names}}"))
	if err != nil {
		return nil, err
	}
	labelled, err := Lines(ctx, r, Cmd(rt, "ps", "-a", "--filter", "label="+n.Label(), "--format", "{{.Names}}"))
	if err != nil {
		return nil, err
	}
	var taken []string
	for _, c := range []string{n.Sentry, n.NetInit, n.NetGuard, n.Bottle} {
		if slices.Contains(ctrs, c) {
			taken = append(taken, "container "+c)
		}
	}
	for _, c := range labelled {
		if !slices.Contains(taken, "container "+c) {
			taken = append(taken, "container "+c)
		}
	}
	if slices.ContainsFunc(nets, func(x Network) bool { return x.Name == n.Enclave }) {
		taken = append(taken, "network "+n.Enclave)
	}
	return taken, nil
}
