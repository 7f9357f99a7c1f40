package verify

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// What beyond the sentry's uplink a case's expected success needs.
const (
	NeedUpstream = "upstream" // the sentry's upstream resolver answers
	NeedUplink   = "uplink"   // a flow leaves the uplink toward Addr
)

// Need is one thing outside the sentry a case's expected success depends
// on. Without it the success cannot happen, and a case that did not get
// it, while the evidence shows nothing left, could not run: it is neither
// a hole nor a held line.
type Need struct {
	What string     `json:"what"`
	Addr netip.Addr `json:"addr"`
}

// leftRules are the rules that count what leaves the sentry for each need:
// its resolver's queries upstream (OUTPUT), and the bottle's flows out of
// the uplink (nat-masq, FORWARD) or the name gate's own connections.
var leftRules = map[string][]string{
	NeedUpstream: {"rbm:out-dns-udp", "rbm:out-dns-tcp"},
	NeedUplink:   {masqRule, forwardJump, gateOut},
}

// RouteChecker is a Backend that can ask the sentry's kernel whether it
// has a route to an address: the evidence that nothing can leave toward
// it, whatever the rules say.
type RouteChecker interface {
	SentryRoutes(ctx context.Context, a netip.Addr) (bool, error)
}

// routes is what the run learned of the sentry's routes, by address.
type routes map[netip.Addr]bool

// check fills rs for every address e depends on, once per run; a backend
// that cannot tell leaves rs empty, and then no case is "could not run".
func (rs routes) check(ctx context.Context, b Backend, e Expect) error {
	rc, ok := b.(RouteChecker)
	if !ok {
		return nil
	}
	addrs := []netip.Addr{e.Dst}
	for _, n := range e.Needs {
		addrs = append(addrs, n.Addr)
	}
	for _, a := range addrs {
		if _, seen := rs[a]; seen || !a.IsValid() {
			continue
		}
		has, err := rc.SentryRoutes(ctx, a)
		if err != nil {
			return fmt.Errorf("ask the sentry for its route to %s: %w", a, err)
		}
		rs[a] = has
	}
	return nil
}

// unrouted reports whether the sentry was found to have no route to a.
func (rs routes) unrouted(a netip.Addr) bool {
	has, seen := rs[a]
	return seen && !has
}

// anyUnrouted is the first address the sentry has no route to, if any.
func (rs routes) anyUnrouted() (netip.Addr, bool) {
	var out []netip.Addr
	for a, has := range rs {
		if !has {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	if len(out) == 0 {
		return netip.Addr{}, false
	}
	return out[0], true
}

// couldNotRun says why a case that did not get its expected success could
// not run, and names the rule whose silence shows that nothing left: one
// of its needs is unreachable (the sentry has no route to it) and none of
// the rules counting what leaves for that need moved. Any denial moving
// during the case means the sentry itself stopped something: that is
// judged, not excused. "" when the evidence is missing.
func (e Expect) couldNotRun(moved []string, rs routes) (why, rule string) {
	if slices.ContainsFunc(moved, denies) {
		return "", ""
	}
	for _, n := range e.Needs {
		if !rs.unrouted(n.Addr) {
			continue
		}
		left := leftRules[n.What]
		if slices.ContainsFunc(left, func(id string) bool { return slices.Contains(moved, id) }) {
			continue
		}
		return needText(n) + ": the sentry has no route to it; nothing left (" + strings.Join(left, ", ") + " did not move)", left[0]
	}
	return "", ""
}

func needText(n Need) string {
	if n.What == NeedUpstream {
		return "the sentry's upstream " + n.Addr.String() + " is unreachable"
	}
	return "the uplink has no route out to " + n.Addr.String()
}

// unsentNote says how a drop of the sentry's own traffic held with no
// rule moving.
const unsentNote = "never sent: the sentry has no route to it, so its kernel refused the packet before its OUTPUT rules"

// unsent reports whether a drop e expects of the sentry's own traffic to
// e.Dst was made by the sentry's kernel instead: it has no route there and
// the probe got no reply. Then no rule can move, and the rest of e (the
// foreign resolver untouched, rules that must not move) is judged without
// its deciding rules.
func (e Expect) unsent(r probe.Result, rs routes) (Expect, bool) {
	if !e.Dst.IsValid() || !rs.unrouted(e.Dst) || !slices.Equal(e.Outcomes, dropped) || !slices.Contains(dropped, r.Outcome) {
		return e, false
	}
	e.Moved, e.AnyMoved = nil, nil
	return e, true
}

// Needs for the cases' expectations.
func upstreamNeed(t Target) []Need {
	if !t.Policy.Upstream.IsValid() {
		return nil
	}
	return []Need{{What: NeedUpstream, Addr: t.Policy.Upstream}}
}

func uplinkNeed(a netip.Addr) []Need {
	if !a.IsValid() {
		return nil
	}
	return []Need{{What: NeedUplink, Addr: a}}
}

// denies reports whether rule id refuses the bottle's or the sentry's
// traffic (a denial, the sentry's own out-drop, a reject).
func denies(id string) bool {
	return firewall.IsDenial(strings.TrimPrefix(id, firewall.IDPrefix)) || id == outDrop || strings.HasPrefix(id, "rbm:reject-")
}

// routeGet asks the kernel that r runs in for its route to a with
// `ip route get`: a route, or none ("Network is unreachable", or an
// unreachable, prohibit or blackhole route). Other failures are errors.
func routeGet(ctx context.Context, r runner.Runner, cmd runner.Cmd) (bool, error) {
	_, err := r.Run(ctx, cmd)
	var ee *runner.ExitError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &ee) && noRoute(ee.Stderr):
		return false, nil
	}
	return false, err
}

// noRoute reports whether ip's complaint says there is no way there.
func noRoute(stderr string) bool {
	s := strings.ToLower(stderr)
	return strings.Contains(s, "unreachable") || strings.Contains(s, "prohibit")
}
