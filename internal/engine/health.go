package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// waitHealthy repeats the step's check until it succeeds, the container it
// waits for stops running, or o.HealthTimeout passes. The error carries
// the last health check output: `rbm sentry ready` says what is missing.
func waitHealthy(ctx context.Context, rt Runtime, r runner.Runner, s Step, o Options) error {
	name := s.Container
	ctx, cancel := context.WithTimeout(ctx, o.HealthTimeout)
	defer cancel()
	for {
		if _, err := r.Run(ctx, s.Cmd); err == nil {
			return nil
		}
		st, err := InspectOne(ctx, rt, r, name)
		if err == nil && st.State != "running" {
			return fmt.Errorf("%s is %s (exit code %d), not running; see `%s logs %s`", name, st.State, st.ExitCode, rt.CLI(), name)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not healthy after %s%s; see `%s logs %s`", name, o.HealthTimeout, lastHealth(st), rt.CLI(), name)
		case <-time.After(o.PollEvery):
		}
	}
}

// InspectOne inspects the container called name.
func InspectOne(ctx context.Context, rt Runtime, r runner.Runner, name string) (Container, error) {
	out, err := r.Run(ctx, rt.Inspect(name))
	if err != nil {
		return Container{}, fmt.Errorf("inspect %s: %w", name, err)
	}
	cs, err := ParseInspect(out)
	if err != nil || len(cs) != 1 {
		return Container{}, fmt.Errorf("inspect of %s: %d containers, %v", name, len(cs), err)
	}
	return cs[0], nil
}

func lastHealth(c Container) string {
	if c.LastCheck == "" {
		return ""
	}
	return " (last check: " + c.LastCheck + ")"
}
