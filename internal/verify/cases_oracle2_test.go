package verify

import (
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/probe"
)

// newCaseOracle judges the cases of the widened battery (identity,
// tunnels, poisoning, forged TCP, TTL, floods) from the policy's meaning;
// ok is false for a case it does not cover.
func newCaseOracle(t Target, c Case) (bad []string, ok bool) {
	p, e := t.Policy, c.Expect
	fail := func(s string) { bad = append(bad, s) }
	dnsOn := p.DNS != policy.DNSOff
	switch {
	case strings.HasPrefix(c.Name, "sentry/own-egress-"):
		if !c.FromSentry {
			fail("the sentry's own egress must be probed from the sentry")
		}
		if c.Name == "sentry/own-egress-upstream" {
			if !slices.Equal(e.Outcomes, []probe.Outcome{probe.Answered}) || !slices.Equal(e.Moved, []string{"rbm:out-dns-udp"}) {
				fail("the sentry must reach its upstream, through out-dns-udp")
			}
		} else {
			wantDrop(&bad, e, "rbm:out-drop")
		}
	case strings.HasPrefix(c.Name, "sentry/identity-"), strings.HasPrefix(c.Name, "sentry/reverse-lookup-"):
		if !e.Answers.none {
			fail("the sentry must answer nothing about itself")
		}
	case c.Name == "dns/exfiltration-shaped-subdomain" || strings.HasPrefix(c.Name, "dns/tunnel-"):
		switch {
		case !dnsOn:
			if hasAny(e.Outcomes, probe.Answered, probe.Connected) || len(e.Outcomes) == 0 {
				fail("DNS off: nothing may answer")
			}
		case e.Rcode != "NXDOMAIN" || !e.Answers.none || e.Upstream == nil || e.Upstream.Asked || e.Upstream.Name != c.Spec.Name:
			fail("exact names: want NXDOMAIN, no answer, and the upstream never asked for " + c.Spec.Name)
		}
	case c.Name == "dns/forged-answers":
		if e.Answers.exclude != forgedAnswer.String() || !slices.Equal(e.Outcomes, []probe.Outcome{probe.Answered}) {
			fail("the forged address must never be answered, and the sentry must still answer")
		}
	case strings.HasPrefix(c.Name, "dns/cname-to-"):
		resolves := p.DNS == policy.DNSGlobal || p.Match != policy.MatchExact && coveredBy(c.Spec.Name, p.AllowedDomains)
		if !e.Answers.noPrivate || resolves && (e.Upstream == nil || !e.Upstream.Asked) {
			fail("an alias must be asked upstream and its private answer dropped")
		}
	case c.Name == "escape/ttl-1":
		if !sameSet(e.Outcomes, dropped) || !slices.Equal(e.Unmoved, []string{forwardJump}) {
			fail("a TTL of 1 expires at the sentry: dropped, fwd-jump unmoved")
		}
	case c.Name == "escape/ttl-2":
		wantDrop(&bad, e, dropRule) // global is a report
	case c.Name == "escape/forged-rst" || c.Name == "escape/lone-ack" || c.Name == "escape/ipip":
		if !t.Hostile {
			wantDenied(&bad, e)
		} else if !slices.Contains(e.AnyMoved, dropRule) || hasAny(e.Outcomes, probe.Connected, probe.Answered, probe.Refused) {
			fail("hostile forged TCP / IP-in-IP: want dropped with rbm:fwd-drop (or invalid) moving")
		}
	case strings.HasPrefix(c.Name, "escape/arp-"), c.Name == "escape/mac-flood", c.Name == "escape/conntrack-flood":
		bad = floodOracle(t, c)
	default:
		return nil, false
	}
	return bad, true
}

// floodOracle: a flood needs NET_RAW unless it is made of plain UDP flows;
// what follows it must meet the policy as if no flood had come before.
func floodOracle(t Target, c Case) []string {
	var bad []string
	e := c.Expect
	if !t.Hostile && c.Spec.Kind != probe.KindUDPFlood {
		wantDenied(&bad, e)
		return bad
	}
	then := c.Spec.Then
	if then == nil {
		return []string{"a flood must be followed by a probe that shows the sentry still holds"}
	}
	dst, _ := destination(*then)
	switch {
	case then.Kind == probe.KindDNS && dst == t.Policy.SentryIP:
		if !slices.Equal(e.Outcomes, []probe.Outcome{probe.Answered}) {
			bad = append(bad, "after the flood the sentry must still answer DNS")
		}
	case dst == t.Forbidden && egressAllows(t.Policy, dst):
		wantThrough(&bad, e, []string{allowID(t.Policy, dst)})
	case dst == t.Forbidden:
		wantDrop(&bad, e, dropRule)
	default:
		bad = append(bad, "the oracle does not know what follows the flood")
	}
	return bad
}
