package main

import (
	"context"
	"os"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/runtimes"
)

// serviceRuntime picks the runtime of a service named only by its moniker
// (runtimes.ForMoniker, RBRR_RUNTIME from the environment); a wrong
// RBRR_RUNTIME or an ambiguous moniker is a usage error.
func serviceRuntime(ctx context.Context, moniker string) (engine.Runtime, error) {
	rt, err := runtimes.ForMoniker(ctx, runner.Exec{}, moniker, os.Getenv("RBRR_RUNTIME"))
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	return rt, nil
}

// configRuntime is the runtime a loaded configuration names.
func configRuntime(cfg *config.Config) (engine.Runtime, error) { return runtimes.For(cfg.Runtime) }
