package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/runtimes"
)

// serviceRuntime picks the runtime of a service named only by its moniker:
// RBRR_RUNTIME from the environment when set; else the one installed
// runtime holding objects of that service; else the default, Podman.
func serviceRuntime(ctx context.Context, moniker string) (engine.Runtime, error) {
	if name, ok := os.LookupEnv("RBRR_RUNTIME"); ok && name != "" {
		rt, err := runtimes.For(name)
		if err != nil {
			return nil, &exitError{code: 2, err: err}
		}
		return rt, nil
	}
	held := runtimes.Holding(ctx, runner.Exec{}, moniker)
	switch len(held) {
	case 0:
		return runtimes.For(config.Runtimes[0])
	case 1:
		return held[0], nil
	}
	var clis []string
	for _, rt := range held {
		clis = append(clis, rt.CLI())
	}
	return nil, &exitError{code: 2, err: fmt.Errorf("moniker %s has objects under %s: set RBRR_RUNTIME to the one you mean", moniker, strings.Join(clis, " and "))}
}

// configRuntime is the runtime a loaded configuration names.
func configRuntime(cfg *config.Config) (engine.Runtime, error) { return runtimes.For(cfg.Runtime) }
