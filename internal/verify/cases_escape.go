package verify

import (
	"net/netip"

	"github.com/recipe-bottle/rbm/internal/probe"
)

var v6Target = netip.MustParseAddr("2001:db8::10")

// escapeCases try to leave by other doors: IPv6, forged sources, raw
// protocols, fragments, and changing the bottle's own network settings.
// Without capabilities the kernel refuses most of them (denied); with
// --hostile they are sent and the sentry must drop them.
func escapeCases(t Target) []Case {
	f := t.Forbidden
	rawBlocked := Expect{Text: "denied (no NET_RAW)", Outcomes: []probe.Outcome{probe.Denied}}
	switch {
	case t.Hostile && t.reaches(f):
		rawBlocked = Expect{Text: "reported: global egress forwards any protocol", Report: true}
	case t.Hostile:
		// Malformed protocols may already be dropped as conntrack INVALID.
		rawBlocked = Expect{Text: "dropped by the sentry", Outcomes: dropped, AnyMoved: []string{t.dropRuleFor(f), "rbm:fwd-invalid"}}
	}
	spoofTarget := f
	if t.Allowed.IsValid() {
		spoofTarget = t.Allowed // where an unspoofed packet would be allowed
	}
	spoofed := lastHost(t.Policy.Subnet)
	spoof := Expect{Text: "denied (no NET_RAW)", Outcomes: []probe.Outcome{probe.Denied}}
	if t.Hostile {
		spoof = Expect{Text: "sent, dropped as spoofed", Outcomes: []probe.Outcome{probe.Sent}, Moved: []string{"rbm:fwd-spoof"}}
	}
	cs := []Case{
		{Name: "escape/ipv6", Tried: "TCP connect [" + v6Target.String() + "]:443", Spec: spec(probe.Spec{Kind: probe.KindTCP6, Target: netip.AddrPortFrom(v6Target, 443).String()}),
			Expect: Expect{Text: "no IPv6 way out", Outcomes: notThrough}},
		{Name: "escape/spoofed-source", Tried: "UDP to " + hostPort(spoofTarget, 8443) + " from forged " + spoofed.String(),
			Spec: spec(probe.Spec{Kind: probe.KindRawSpoof, Target: hostPort(spoofTarget, 8443), Source: spoofed.String()}), Expect: spoof},
		{Name: "escape/gre", Tried: "GRE packet to " + f.String(), Spec: spec(probe.Spec{Kind: probe.KindRawProto, Target: f.String(), Proto: 47}), Expect: rawBlocked},
		{Name: "escape/sctp", Tried: "SCTP packet to " + f.String(), Spec: spec(probe.Spec{Kind: probe.KindRawProto, Target: f.String(), Proto: 132}), Expect: rawBlocked},
		{Name: "escape/fragmented-syn", Tried: "fragmented TCP SYN to " + hostPort(f, 443), Spec: spec(probe.Spec{Kind: probe.KindRawFrag, Target: hostPort(f, 443)}), Expect: rawBlocked},
	}
	cs = append(cs, tcpHeaderCases(t, rawBlocked)...)
	cs = append(cs, floodCases(t)...)
	return append(cs, privilegeCases(t)...)
}

// privilegeCases: the bottle cannot change its routes or network sysctls.
// A hostile bottle can, but only in its own namespace: reported.
func privilegeCases(t Target) []Case {
	exp := Expect{Text: "denied", Outcomes: []probe.Outcome{probe.Denied}}
	if t.Hostile {
		exp = Expect{Text: "reported: NET_ADMIN changes only the bottle's own namespace", Report: true}
	}
	return []Case{
		{Name: "escape/route-change", Tried: "add a route (netlink)", Spec: spec(probe.Spec{Kind: probe.KindRoute}), Expect: exp},
		{Name: "escape/sysctl-write", Tried: "write net.ipv4.conf.all.forwarding", Spec: spec(probe.Spec{Kind: probe.KindSysctl}), Expect: exp},
	}
}

// lastHost is the enclave's last host address (before the broadcast): a
// neighbour the bottle might pretend to be.
func lastHost(p netip.Prefix) netip.Addr {
	return neighbour(p, true).Prev().Prev().Prev()
}
