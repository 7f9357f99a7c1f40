package verify

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/probe"
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

// Way is what the sentry's kernel says of the way to an address.
type Way struct {
	Out bool   // packets can leave toward it, as far as the kernel knows
	Why string // when !Out: why not
	// Wire: when !Out, the packets passed the rules and were stopped at
	// the wire (the next hop never answered ARP), so the rules that count
	// what leaves may have moved; else no route: they cannot have.
	Wire bool
}

// RouteChecker is a Backend that can ask the sentry's kernel about its
// way to an address: the evidence that nothing can leave toward it,
// whatever the rules say.
type RouteChecker interface {
	SentryWay(ctx context.Context, a netip.Addr) (Way, error)
}

// routes is what the run learned of the sentry's ways out, by address.
// Only a missing way is kept: a next hop not yet tried may fail later.
type routes map[netip.Addr]Way

// check fills rs for every address e depends on; a backend that cannot
// tell leaves rs empty, and then no case is "could not run".
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
		w, err := rc.SentryWay(ctx, a)
		if err != nil {
			return fmt.Errorf("ask the sentry for its way to %s: %w", a, err)
		}
		if !w.Out {
			rs[a] = w
		}
	}
	return nil
}

// blocked is the sentry's missing way to a, if it was found missing.
func (rs routes) blocked(a netip.Addr) (Way, bool) {
	w, seen := rs[a]
	return w, seen && !w.Out
}

// unrouted reports whether the sentry was found to have no route to a.
func (rs routes) unrouted(a netip.Addr) bool {
	w, ok := rs.blocked(a)
	return ok && !w.Wire
}

// anyUnrouted is the first address the sentry has no route to, if any.
func (rs routes) anyUnrouted() (netip.Addr, bool) {
	var out []netip.Addr
	for a := range rs {
		if rs.unrouted(a) {
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
// during the case means the sentry itself stopped something, and a
// connection where a drop was expected is a hole: those are judged, not
// excused. A drop whose setup needs the outside (an answer from the
// upstream to try) can also not run. "" when the evidence is missing.
func (e Expect) couldNotRun(r probe.Result, moved []string, rs routes) (why, rule string) {
	if slices.ContainsFunc(moved, denies) || slices.Equal(e.Outcomes, dropped) && r.Outcome == probe.Connected {
		return "", "" // the sentry stopped something, or a drop did not hold
	}
	for _, n := range e.Needs {
		w, ok := rs.blocked(n.Addr)
		if !ok {
			continue
		}
		if w.Wire {
			return needText(n) + ": " + w.Why + ", so nothing reached the wire", "" // the rules counted what the wire then dropped
		}
		left := leftRules[n.What]
		if slices.ContainsFunc(left, func(id string) bool { return slices.Contains(moved, id) }) {
			continue
		}
		return needText(n) + ": " + w.Why + "; nothing left (" + strings.Join(left, ", ") + " did not move)", left[0]
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
// traffic: a denial (or its log twin), any drop (the sentry's own
// out-drop, the invalid-state and lockdown drops) or reject.
func denies(id string) bool {
	if firewall.IsDenial(strings.TrimPrefix(id, firewall.IDPrefix)) {
		return true
	}
	return strings.Contains(id, "drop") || strings.Contains(id, "reject") || strings.Contains(id, "invalid")
}
