package verify

import (
	"fmt"
	"time"

	"github.com/recipe-bottle/rbm/internal/probe"
)

// floodTimeout bounds a probe that sends thousands of packets, then asks.
const floodTimeout = 6 * time.Second

// tcpHeaderCases forge TCP segments for no connection, TTL-limited
// probes, and IP-in-IP: conntrack and routing must not be fooled.
func tcpHeaderCases(t Target, rawBlocked Expect) []Case {
	f := t.Forbidden
	rst := rawBlocked
	if t.Hostile && !rst.Report {
		// A reset gets no reply: only the counters can tell.
		rst.Outcomes = append(append([]probe.Outcome(nil), dropped...), probe.Sent)
	}
	first := t.Forbidden
	if t.Allowed.IsValid() {
		first = t.Allowed // where a packet with a TTL left would be forwarded
	}
	ttl1 := spec(probe.Spec{Kind: probe.KindUDP, Target: hostPort(first, 8443), TTL: 1})
	ttl2 := spec(probe.Spec{Kind: probe.KindUDP, Target: hostPort(f, 8443), TTL: 2})
	beyond := t.reach(f.String(), reachedUDP, "the address (egress allows it)")
	if t.reaches(f) {
		beyond = Expect{Text: "reported: egress allows the address, the TTL only limits how far", Report: true}
	}
	return []Case{
		{Name: "escape/ipip", Tried: "IP-in-IP packet to " + f.String(), Spec: spec(probe.Spec{Kind: probe.KindRawProto, Target: f.String(), Proto: 4}), Expect: rawBlocked},
		{Name: "escape/forged-rst", Tried: "TCP RST for no connection to " + hostPort(f, 443),
			Spec: spec(probe.Spec{Kind: probe.KindRawTCP, Target: hostPort(f, 443), Flags: "R"}), Expect: rst},
		{Name: "escape/lone-ack", Tried: "TCP ACK for no connection to " + hostPort(f, 443),
			Spec: spec(probe.Spec{Kind: probe.KindRawTCP, Target: hostPort(f, 443), Flags: "A"}), Expect: rawBlocked},
		{Name: "escape/ttl-1", Tried: "UDP to " + hostPort(first, 8443) + " with TTL 1", Spec: ttl1,
			Expect: Expect{Text: "expires at the sentry: never forwarded", Outcomes: dropped, Unmoved: []string{forwardJump}}},
		{Name: "escape/ttl-2", Tried: "UDP to " + hostPort(f, 8443) + " with TTL 2 (beyond the first hop)", Spec: ttl2, Expect: beyond},
	}
}

// floodCases: a hostile bottle poisons neighbour caches and floods the
// enclave's link, any bottle floods conntrack; the sentry keeps filtering
// and answering right after.
func floodCases(t Target) []Case {
	s, f := t.Policy.SentryIP, t.Forbidden
	after := t.reach(f.String(), reachedTCP, "the address (egress allows it)")
	forbiddenAfter := tcp(f, 443)
	flood := func(name, tried string, sp probe.Spec, then probe.Spec, e Expect) Case {
		sp.Then, sp.Timeout = &then, probe.Duration(floodTimeout)
		if !t.Hostile && sp.Kind != probe.KindUDPFlood {
			e = Expect{Text: "denied (no NET_RAW)", Outcomes: []probe.Outcome{probe.Denied}}
		}
		return Case{Name: name, Tried: tried, Spec: sp, Expect: e}
	}
	ask := dnsQuery(s, 53, t.AllowedName, false)
	answered := Expect{Text: "the sentry still answers DNS", Outcomes: []probe.Outcome{probe.Answered}}
	if !t.dnsOn() {
		ask, answered = forbiddenAfter, after
	}
	neighbour := lastHost(t.Policy.Subnet)
	flowTarget := f
	if t.Allowed.IsValid() {
		flowTarget = t.Allowed
	}
	return []Case{
		flood("escape/arp-claim-sentry", fmt.Sprintf("20 gratuitous ARP replies: %s is at the bottle's MAC; then ask the sentry", s),
			probe.Spec{Kind: probe.KindARPClaim, Target: s.String(), Count: 20}, ask, answered),
		flood("escape/arp-claim-neighbour", fmt.Sprintf("20 gratuitous ARP replies: %s is at the bottle's MAC; then connect %s", neighbour, hostPort(f, 443)),
			probe.Spec{Kind: probe.KindARPClaim, Target: neighbour.String(), Count: 20}, forbiddenAfter, after),
		flood("escape/mac-flood", "5000 frames from random MACs; then connect "+hostPort(f, 443),
			probe.Spec{Kind: probe.KindMACFlood, Target: s.String(), Count: 5000}, forbiddenAfter, after),
		flood("escape/conntrack-flood", fmt.Sprintf("5000 UDP flows to %s; then ask the sentry", hostPort(flowTarget, 8443)),
			probe.Spec{Kind: probe.KindUDPFlood, Target: hostPort(flowTarget, 8443), Count: 5000}, ask, answered),
	}
}
