package sentry

import (
	"context"
	"fmt"
	"os"

	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/firewall"
)

// lockdown is the fail-closed path: whatever went wrong, bottle traffic is
// dropped afterwards.
func (s *Sentry) lockdown(ctx context.Context, fw firewall.Backend) {
	os.Remove(markerPath(s.StateDir))
	if err := fw.Lockdown(context.WithoutCancel(ctx)); err != nil {
		s.logf("CRITICAL: could not load the lockdown ruleset: %v", err)
		return
	}
	s.logf("lockdown ruleset loaded: all forwarding is dropped")
	if s.w != nil {
		s.w.lifecycle(events.LockedDown, "all forwarding is dropped")
	}
}

func (s *Sentry) logf(format string, args ...any) {
	if s.Log != nil {
		fmt.Fprintf(s.Log, "rbm sentry: "+format+"\n", args...)
	}
}
