package engine

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Options bound and report Start and Stop.
type Options struct {
	Out           io.Writer     // progress, one line per step
	HealthTimeout time.Duration // how long the sentry may take to become healthy (default 90s)
	PollEvery     time.Duration // between health checks (default 1s)
	// NetworkCreated is called once the enclave network exists (the step
	// marked Network): a chosen subnet's lock can go (AutoSubnet).
	NetworkCreated func()
}

func (o Options) withDefaults() Options {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.HealthTimeout == 0 {
		o.HealthTimeout = 90 * time.Second
	}
	if o.PollEvery == 0 {
		o.PollEvery = time.Second
	}
	return o
}

// undoTimeout bounds the removal of a half-built service.
const undoTimeout = 2 * time.Minute

// Start runs the plan of cfg step by step, printing each. Run Preflight
// first. When a step fails it says which, removes what the earlier steps
// (and the failing one) created, in reverse order, and returns the error.
func Start(ctx context.Context, rt Runtime, r runner.Runner, cfg *config.Config, o Options) error {
	o = o.withDefaults()
	steps, err := rt.Plan(cfg)
	if err != nil {
		return err
	}
	for i, s := range steps {
		fmt.Fprintf(o.Out, "[%d/%d] %s\n      %s\n", i+1, len(steps), s.Desc, s.Cmd)
		if err := runStep(ctx, rt, r, s, o); err != nil {
			fmt.Fprintf(o.Out, "step %d failed: %s\n  %v\nremoving what was created:\n", i+1, s.Desc, err)
			undo(r, steps[:i+1], o.Out)
			return fmt.Errorf("start %s: step %d (%s): %w", cfg.Moniker, i+1, s.Desc, err)
		}
		if s.Network && o.NetworkCreated != nil {
			o.NetworkCreated()
		}
	}
	fmt.Fprintf(o.Out, "bottle service %s is running; `rbm status --moniker %s` shows it, `rbm stop --moniker %s` removes it\n",
		cfg.Moniker, cfg.Moniker, cfg.Moniker)
	return nil
}

func runStep(ctx context.Context, rt Runtime, r runner.Runner, s Step, o Options) error {
	if s.Kind == Poll {
		return waitHealthy(ctx, rt, r, s, o)
	}
	_, err := r.Run(ctx, s.Cmd)
	return err
}

// undo removes what the Create steps made, last first, ignoring absence:
// a failing step may or may not have created its object. It gets its own
// bounded context so an interrupted start is still cleaned up.
func undo(r runner.Runner, done []Step, out io.Writer) {
	ctx, cancel := context.WithTimeout(context.Background(), undoTimeout)
	defer cancel()
	for i := len(done) - 1; i >= 0; i-- {
		u := done[i].Undo
		if done[i].Kind != Create || u.Name == "" {
			continue
		}
		if _, err := r.Run(ctx, u); err != nil {
			fmt.Fprintf(out, "  %s: %v\n", u, err)
			continue
		}
		fmt.Fprintf(out, "  %s\n", u)
	}
}
