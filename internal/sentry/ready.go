package sentry

import (
	"context"
	"fmt"
	"syscall"

	"github.com/recipe-bottle/rbm/internal/dns"
	"github.com/recipe-bottle/rbm/internal/firewall/backends"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// guardRule is a rule every rendered ruleset has; its presence shows that
// rbm's rules, not the lockdown or nothing, are loaded.
const guardRule = "rbm:fwd-drop"

// CheckReady returns nil when the sentry using state directory dir is
// running, its rules are loaded, and (when DNS is on) its resolver answers a
// real query. It is the Podman healthcheck.
func CheckReady(ctx context.Context, r runner.Runner, dir string) error {
	m, err := ReadMarker(dir)
	if err != nil {
		return err
	}
	if err := syscall.Kill(m.PID, 0); err != nil {
		return fmt.Errorf("sentry process %d is gone: %w", m.PID, err)
	}
	fw, err := backends.ForMarker(ctx, m.Firewall, r)
	if err != nil {
		return fmt.Errorf("ready marker: %w", err)
	}
	snap, err := fw.Counters(ctx)
	if err != nil {
		return err
	}
	if _, ok := snap.Rules[guardRule]; !ok {
		return fmt.Errorf("rbm's rules are not loaded (no %s rule)", guardRule)
	}
	if m.DNS {
		if err := dns.Ready(ctx, m.SentryIP); err != nil {
			return err
		}
	}
	return nil
}
