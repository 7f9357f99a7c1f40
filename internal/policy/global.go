package policy

import (
	"fmt"
	"net/netip"
	"slices"
)

// Private are the private-use ranges (RFC 1918) and the shared address
// space (RFC 6598, carrier-grade NAT): LANs, container networks, VPNs.
var Private = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
}

// Reserved are ranges that are never a destination on the internet: "this
// network", loopback, multicast and reserved/broadcast.
var Reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("224.0.0.0/4"),
	netip.MustParsePrefix("240.0.0.0/4"),
}

// Guard is one refusal of global egress: the ranges it covers and the rule
// that refuses them.
type Guard struct {
	Rule   string
	Ranges []netip.Prefix
	What   string // what the ranges are, for a reason a person reads
}

// GlobalGuards lists, in rule order, what global egress refuses after
// link-local and the enclave (which no mode opens) unless an allowed CIDR,
// matched first, covers it: the uplink's subnet when known, the private
// ranges, the reserved ones. Empty unless the egress is global. Backends
// render the refusals from this list, and Decide reads it.
func (p Policy) GlobalGuards(uplink netip.Prefix) []Guard {
	if p.Egress != EgressGlobal {
		return nil
	}
	var out []Guard
	if uplink.IsValid() && uplink.Addr().Is4() {
		out = append(out, Guard{GlobalUplink, []netip.Prefix{uplink.Masked()}, "the uplink's subnet (the host's bridge address, neighbouring containers)"})
	}
	return append(out,
		Guard{GlobalPrivate, Private, "private address space (RFC 1918, CGNAT)"},
		Guard{GlobalReserved, Reserved, "reserved address space (this network, loopback, multicast)"})
}

// decideGlobal: an allowed CIDR first, then the guards, then the internet.
func (p Policy) decideGlobal(f Flow, env Env) Decision {
	for _, c := range p.AllowedCIDRs {
		if c.Contains(f.Dst) {
			return pass(AllowID(c), fmt.Sprintf("%s is in the allowed CIDR %s", f.Dst, c))
		}
	}
	if d, ok := p.decideHost(f); ok {
		return d
	}
	for _, g := range p.GlobalGuards(env.UplinkPrefix) {
		for _, r := range g.Ranges {
			if r.Contains(f.Dst) {
				return deny(g.Rule, fmt.Sprintf("%s is in %s, %s: global egress opens it only through RBRN_UPLINK_ALLOWED_CIDRS", f.Dst, r, g.What))
			}
		}
	}
	return pass(RuleAllowGlobal, "global egress: the internet")
}

// GuardsHost reports whether the sentry refuses the host's own addresses
// (HostRule): in global mode and while it learns, the modes that would
// otherwise open an address nobody listed.
func (p Policy) GuardsHost() bool { return p.Egress == EgressGlobal || p.Learns() }

// decideHost: the host's own addresses, after the allowed CIDRs.
func (p Policy) decideHost(f Flow) (Decision, bool) {
	if !p.GuardsHost() || !slices.Contains(p.HostAddrs, f.Dst) {
		return Decision{}, false
	}
	return deny(HostRule, fmt.Sprintf("%s is the host's own address: only RBRN_UPLINK_ALLOWED_CIDRS opens it", f.Dst)), true
}
