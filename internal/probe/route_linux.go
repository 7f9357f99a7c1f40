package probe

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"
)

// routeCleanupTimeout bounds the removal of a route the probe managed to
// add. It is not cut short by the probe's own deadline: leaving the route
// behind would be worse than running a little late.
const routeCleanupTimeout = time.Second

// probeRoute asks the kernel, over rtnetlink, to add a blackhole route to
// s.Target (DefaultRouteTarget when unset) in the current namespace's main
// table. Without CAP_NET_ADMIN the kernel answers EPERM: Denied. When it
// accepts, the probe deletes the route again at once and reports Changed.
// A route that already exists (EEXIST) is an Error and is left alone: it
// is not the probe's to delete.
func probeRoute(ctx context.Context, s Spec) Result {
	target := cmp.Or(s.Target, DefaultRouteTarget)
	p, err := netip.ParsePrefix(target)
	if err != nil {
		return Result{Outcome: Error, Detail: fmt.Sprintf("route probe: target: %v", err)}
	}
	p = p.Masked()
	c, err := dialRtnl()
	if err != nil {
		return Result{Outcome: Error, Detail: fmt.Sprintf("route probe: %v", err)}
	}
	defer c.close()

	add := func(seq uint32) []byte {
		return routeMessage(unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_EXCL, seq, p)
	}
	if err := c.do(ctx, "RTM_NEWROUTE "+p.String(), add); err != nil {
		return routeFailed(err)
	}
	return removeRoute(ctx, c, p)
}

// removeRoute deletes the blackhole route to p that probeRoute just added
// and reports the change.
func removeRoute(ctx context.Context, c *rtnl, p netip.Prefix) Result {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), routeCleanupTimeout)
	defer cancel()
	del := func(seq uint32) []byte { return routeMessage(unix.RTM_DELROUTE, 0, seq, p) }
	if err := c.do(ctx, "RTM_DELROUTE "+p.String(), del); err != nil {
		return Result{Outcome: Changed, Detail: fmt.Sprintf(
			"added blackhole route %s, but could not remove it, it is still there: %v", p, err)}
	}
	return Result{Outcome: Changed, Detail: fmt.Sprintf("added blackhole route %s, then removed it", p)}
}

// routeFailed builds the Result of a route request the kernel refused or
// never answered.
func routeFailed(err error) Result {
	switch {
	case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES):
		return Result{Outcome: Denied, Detail: err.Error()}
	case errors.Is(err, unix.EEXIST):
		return Result{Outcome: Error, Detail: err.Error() +
			": the route exists already; the request got past the permission check, but nothing changed"}
	case errors.Is(err, context.DeadlineExceeded):
		return Result{Outcome: Timeout, Detail: err.Error()}
	}
	return Result{Outcome: Error, Detail: err.Error()}
}
