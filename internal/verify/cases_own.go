package verify

import (
	"fmt"

	"github.com/recipe-bottle/rbm/internal/probe"
)

// Rules of the sentry's own egress (its OUTPUT chain).
const (
	outDrop   = "rbm:out-drop"
	outDNSUDP = "rbm:out-dns-udp"
)

// ownEgressCases probe from the sentry itself: it reaches its upstream
// resolver and nothing else, so a compromised resolver process or a
// confused rbm cannot be used as a way out either.
func ownEgressCases(t Target) []Case {
	cs := []Case{
		{Name: "sentry/own-egress-forbidden", Tried: "from the sentry: TCP connect " + hostPort(t.Forbidden, 443), FromSentry: true,
			Spec: tcp(t.Forbidden, 443), Expect: Expect{Text: "dropped: the sentry talks only to its upstream", Outcomes: dropped, Moved: []string{outDrop}, Dst: t.Forbidden}},
		{Name: "sentry/own-egress-foreign-resolver", Tried: fmt.Sprintf("from the sentry: dig @%s %s", t.Foreign, t.ForbiddenName), FromSentry: true,
			Spec:   dnsQuery(t.Foreign, 53, t.ForbiddenName, false),
			Expect: Expect{Text: "dropped: the sentry talks only to its upstream", Outcomes: dropped, Moved: []string{outDrop}, ForeignUntouched: true, Dst: t.Foreign}},
	}
	if t.dnsOn() && t.Policy.Upstream.IsValid() {
		cs = append(cs, Case{Name: "sentry/own-egress-upstream", Tried: fmt.Sprintf("from the sentry: dig @%s %s", t.Policy.Upstream, t.AllowedName), FromSentry: true,
			Spec:   dnsQuery(t.Policy.Upstream, 53, t.AllowedName, false),
			Expect: Expect{Text: "answered: the upstream is the sentry's one way out", Outcomes: []probe.Outcome{probe.Answered}, Moved: []string{outDNSUDP}, Needs: upstreamNeed(t)}})
	}
	return cs
}
