package policy

import "net/netip"

// LinkLocal is 169.254.0.0/16, where cloud metadata services live: no
// egress mode reaches it. The renderers, the configuration's warnings and
// verify's expectations all name this one value.
var LinkLocal = netip.MustParsePrefix("169.254.0.0/16")

// neverLearned are destinations no learned address may open, whatever a
// resolver answers: "this network", loopback, link-local (cloud metadata),
// shared address space (carrier-grade NAT, which dnsmasq's rebinding
// protection does not cover), multicast and reserved/broadcast.
var neverLearned = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("127.0.0.0/8"),
	LinkLocal,
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("224.0.0.0/4"),
	netip.MustParsePrefix("240.0.0.0/4"),
}

// NeverLearned lists what the learned-address guard drops for p: the fixed
// ranges, the enclave, the sentry's uplink subnet when known (the host
// and neighbouring containers live there) and the host's own addresses
// (which HostRule, before the guard, refuses first; listed here so the name
// gate never takes them either). An explicit allowed CIDR is
// checked before the guard and still opens any of them. Backends render
// the guard from this list; verify predicts from it which rule drops.
func (p Policy) NeverLearned(uplink netip.Prefix) []netip.Prefix {
	out := append([]netip.Prefix{}, neverLearned...)
	if p.Subnet.IsValid() {
		out = append(out, p.Subnet.Masked())
	}
	if uplink.IsValid() && uplink.Addr().Is4() {
		out = append(out, uplink.Masked())
	}
	for _, a := range p.HostAddrs {
		out = append(out, netip.PrefixFrom(a, 32))
	}
	return out
}
