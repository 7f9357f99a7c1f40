package engine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// reloadWait bounds the wait for the sentry's verdict on a reload.
const reloadWait = 30 * time.Second

// Reload applies next to the running service whose live configuration
// (LiveConfig) is live, without restarting the bottle: the sentry stages
// it, swaps its rules and resolver, and keeps connections and learned
// addresses that stay allowed. What only a restart can change is refused
// before anything is sent. It waits for the sentry's own verdict (its
// reload or reload-refused event).
func Reload(ctx context.Context, rt Runtime, r runner.Runner, live, next *config.Config, out io.Writer) error {
	n := NamesFor(next.Moniker)
	inPlace, restart := next.Changes(live)
	if len(restart) > 0 {
		return fmt.Errorf("nothing reloaded: %w", config.RestartError(restart))
	}
	if len(inPlace) == 0 {
		fmt.Fprintf(out, "reload %s: nothing changed\n", n.Moniker)
		return nil
	}
	for _, ch := range inPlace {
		fmt.Fprintf(out, "reload %s: %s %q -> %q\n", n.Moniker, ch.Name, ch.From, ch.To)
	}
	began := time.Now()
	if _, err := r.Run(ctx, InstallConfigCmd(rt, n, next)); err != nil {
		return fmt.Errorf("stage the configuration in %s: %w", n.Sentry, err)
	}
	e, err := awaitReload(ctx, rt, r, n, began)
	if err != nil {
		return err
	}
	if e.What != events.Reloaded {
		return fmt.Errorf("the sentry refused the reload, the previous configuration stays: %s", e.Detail)
	}
	fmt.Fprintf(out, "reload %s: applied in %d ms (%s); the bottle kept running\n", n.Moniker, e.Time.Sub(began).Milliseconds(), e.Detail)
	return nil
}

// awaitReload polls the sentry's history for its verdict on the reload
// asked for at began.
func awaitReload(ctx context.Context, rt Runtime, r runner.Runner, n Names, began time.Time) (events.Event, error) {
	deadline := time.Now().Add(reloadWait)
	for {
		out, err := r.Run(ctx, EventsCmd(rt, n.Moniker, false, time.Since(began)+time.Second, nil))
		if err == nil {
			var verdict *events.Event
			events.Decode(bytes.NewReader(out), func(e events.Event) error {
				if e.Kind == events.Lifecycle && (e.What == events.Reloaded || e.What == events.ReloadRefused) && !e.Time.Before(began.Add(-time.Second)) {
					verdict = &e
				}
				return nil
			})
			if verdict != nil {
				return *verdict, nil
			}
		}
		if time.Now().After(deadline) {
			return events.Event{}, fmt.Errorf("the sentry did not report on the reload within %v (rbm observe --moniker %s shows what it does)", reloadWait, n.Moniker)
		}
		select {
		case <-ctx.Done():
			return events.Event{}, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
