package podman

import (
	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Plan returns the podman commands that build the bottle service of cfg
// under rootful Podman, in order (Runtime.Plan: under either).
func Plan(cfg *config.Config) ([]engine.Step, error) { return Runtime{}.Plan(cfg) }

// Plan implements engine.Runtime. It is pure; every value comes from the
// validated configuration and travels as its own argv element, never
// through a shell.
func (rt Runtime) Plan(cfg *config.Config) ([]engine.Step, error) {
	if err := engine.Plannable(cfg); err != nil {
		return nil, err
	}
	n := engine.NamesFor(cfg.Moniker)
	return []engine.Step{
		enclaveStep(cfg, n),
		sentryStep(cfg, n),
		healthStep(n),
		podStep(cfg, n, rt.Rootless),
		netinitStep(cfg, n, rt.Rootless),
		guardStep(cfg, n, rt.Rootless),
		bottleStep(cfg, n),
		podStartStep(n),
		routeCheckStep(cfg, n),
	}, nil
}

func podman(args ...string) runner.Cmd { return runner.Cmd{Name: "podman", Args: args} }
