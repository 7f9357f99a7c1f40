// Package runtimes maps RBRR_RUNTIME's values to the container runtimes
// behind engine.Runtime: the one place that knows them all.
package runtimes

import (
	"context"
	"fmt"
	"os/exec"
	"strings"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/docker"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/podman"
	"github.com/recipe-bottle/rbm/internal/runner"
)

var all = map[string]engine.Runtime{
	"podman": podman.Runtime{},
	"docker": docker.Runtime{},
}

// For returns the runtime called name (a value of RBRR_RUNTIME).
func For(name string) (engine.Runtime, error) {
	if rt, ok := all[name]; ok {
		return rt, nil
	}
	return nil, fmt.Errorf("RBRR_RUNTIME=%q: expected one of %v", name, config.Runtimes)
}

// Installed returns the runtimes whose CLI is on PATH, in RBRR_RUNTIME's
// order (default first).
func Installed() []engine.Runtime {
	var out []engine.Runtime
	for _, name := range config.Runtimes {
		if rt, ok := all[name]; ok {
			if _, err := exec.LookPath(rt.CLI()); err == nil {
				out = append(out, rt)
			}
		}
	}
	return out
}

// Holding returns the installed runtimes that hold an object of the
// service called moniker. A runtime that cannot answer (its daemon is
// down, say) holds nothing.
func Holding(ctx context.Context, r runner.Runner, moniker string) []engine.Runtime {
	n := engine.NamesFor(moniker)
	var out []engine.Runtime
	for _, rt := range Installed() {
		if names, err := rt.Containers(ctx, r, n); err == nil && len(names) > 0 {
			out = append(out, rt)
			continue
		}
		if nets, err := rt.Networks(ctx, r); err == nil {
			for _, x := range nets {
				if x.Labels[engine.LabelKey] == moniker {
					out = append(out, rt)
					break
				}
			}
		}
	}
	return out
}

// ForMoniker picks the runtime of a service named only by its moniker:
// named, the runtime called named (RBRR_RUNTIME from the environment);
// else the one installed runtime holding objects of that service; else the
// default, Podman. Two runtimes holding it is an error asking to choose.
func ForMoniker(ctx context.Context, r runner.Runner, moniker, named string) (engine.Runtime, error) {
	if named != "" {
		return For(named)
	}
	held := Holding(ctx, r, moniker)
	switch len(held) {
	case 0:
		return For(config.Runtimes[0])
	case 1:
		return held[0], nil
	}
	var clis []string
	for _, rt := range held {
		clis = append(clis, rt.CLI())
	}
	return nil, fmt.Errorf("moniker %s has objects under %s: set RBRR_RUNTIME to the one you mean", moniker, strings.Join(clis, " and "))
}
