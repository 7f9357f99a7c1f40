package verify

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// SentryWay asks the kernel that ip (a command builder for `ip ARGS` in
// the sentry) runs in for its way to a: `ip route get` (none: "Network is
// unreachable", or an unreachable or prohibit route), then the next hop's
// neighbour entry (FAILED or INCOMPLETE: no host answered ARP for it, so
// no IP packet went that way). Other failures are errors.
func SentryWay(ctx context.Context, r runner.Runner, ip func(args ...string) runner.Cmd, a netip.Addr) (Way, error) {
	out, err := r.Run(ctx, ip("route", "get", a.String()))
	var ee *runner.ExitError
	switch {
	case errors.As(err, &ee) && noRoute(ee.Stderr):
		return Way{Why: "the sentry has no route to it"}, nil
	case err != nil:
		return Way{}, err
	}
	hop, dev := nextHop(string(out), a)
	if dev == "" {
		return Way{Out: true}, nil
	}
	out, err = r.Run(ctx, ip("neigh", "show", hop.String(), "dev", dev))
	if err != nil {
		return Way{}, err
	}
	if f := strings.Fields(string(out)); slices.Contains(f, "FAILED") || slices.Contains(f, "INCOMPLETE") {
		return Way{Why: fmt.Sprintf("no host answers ARP for %s on the sentry's %s", hop, dev), Wire: true}, nil
	}
	return Way{Out: true}, nil
}

// nextHop reads `ip route get` output: the gateway (or a itself, on the
// link) and the device; dev "" when the route leaves through no device
// worth asking (local, or unparsable).
func nextHop(out string, a netip.Addr) (netip.Addr, string) {
	f := strings.Fields(out)
	if len(f) > 0 && f[0] == "local" {
		return a, ""
	}
	hop, dev := a, ""
	for i := 0; i+1 < len(f); i++ {
		switch f[i] {
		case "via":
			if g, err := netip.ParseAddr(f[i+1]); err == nil {
				hop = g
			}
		case "dev":
			dev = f[i+1]
		}
	}
	if dev == "lo" || strings.ContainsAny(dev, "/ ") || strings.HasPrefix(dev, "-") {
		return a, ""
	}
	return hop, dev
}

// noRoute reports whether ip's complaint says there is no way there.
func noRoute(stderr string) bool {
	s := strings.ToLower(stderr)
	return strings.Contains(s, "unreachable") || strings.Contains(s, "prohibit")
}
