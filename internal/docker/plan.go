// Package docker builds and removes one bottle service with the docker CLI,
// behind engine.Runtime: the enclave network, the sentry, a namespace
// holder (Docker has no pods: the holder owns the bottle's network
// namespace and sets its routes on every start) and the bottle, which joins
// the holder's namespace with --network container:. Plan is pure.
package docker

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Plan returns the docker commands that build the bottle service of cfg, in
// order. Every value comes from the validated configuration and travels as
// its own argv element, never through a shell.
func Plan(cfg *config.Config) ([]engine.Step, error) {
	if err := engine.Plannable(cfg); err != nil {
		return nil, err
	}
	n := engine.NamesFor(cfg.Moniker)
	return []engine.Step{
		enclaveStep(cfg, n),
		bridgeStep(cfg, n),
		sentryStep(cfg, n),
		uplinkStep(cfg, n),
		startSentryStep(n),
		healthStep(n),
		holderStep(cfg, n),
		routeWaitStep(cfg, n),
		bottleStep(cfg, n),
		routeCheckStep(cfg, n),
	}, nil
}

func docker(args ...string) runner.Cmd { return runner.Cmd{Name: "docker", Args: args} }

// BridgeName is the enclave's bridge interface on the host: named by rbm
// (Docker's own "br-<id>" is known only after creation) so the host rule
// of bridgeStep can name it in the plan. Interface names hold at most 15
// bytes, monikers up to 31: a hash of the moniker.
func BridgeName(moniker string) string {
	h := sha256.Sum256([]byte(moniker))
	return "rbm-" + hex.EncodeToString(h[:4])
}

// Tag marks the host rule of the service called moniker.
func Tag(moniker string) string { return engine.LabelKey + "=" + moniker }
