// Package netinit sets the bottle's routes from inside its pod: every packet
// leaves through the sentry, and the host's bridge address is unreachable.
// It runs in the pod's init container and in its guard container (rbm
// netinit), which hold NET_ADMIN; the bottle itself has no capabilities and
// cannot undo any of it.
package netinit

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// Routes is what the bottle's network namespace must hold.
type Routes struct {
	Via   netip.Addr // the sentry: the only gateway
	Block netip.Addr // the host's bridge address: prohibited
}

// Commands returns the `ip` commands that establish r. Both replace rather
// than add, so running them again changes nothing. The prohibit route comes
// first: the bridge is closed before any default route exists.
func (r Routes) Commands() []runner.Cmd {
	return []runner.Cmd{
		{Name: "ip", Args: []string{"-4", "route", "replace", "prohibit", r.Block.String() + "/32"}},
		{Name: "ip", Args: []string{"-4", "route", "replace", "default", "via", r.Via.String()}},
	}
}

// Apply establishes r in the current network namespace and checks the result.
func Apply(ctx context.Context, run runner.Runner, r Routes) error {
	if !r.Via.Is4() || !r.Block.Is4() {
		return fmt.Errorf("netinit: need IPv4 addresses, got via %v block %v", r.Via, r.Block)
	}
	for _, c := range r.Commands() {
		if _, err := run.Run(ctx, c); err != nil {
			return fmt.Errorf("netinit: %s: %w", c, err)
		}
	}
	return Check(ctx, run, r)
}
