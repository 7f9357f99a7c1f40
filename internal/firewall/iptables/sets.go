package iptables

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// netMaxElem caps the CIDR sets. It is fixed, not sized to the list: the
// live set and its replacement must be created with the same options
// ("create -exist" fails on any difference), and a hash set allocates as
// it fills, so a high cap costs nothing.
const netMaxElem = 1 << 20

// neverLearned are destinations a learned address never opens, whatever a
// resolver answers: "this network", loopback, link-local (cloud metadata),
// the carrier-grade NAT range (which dnsmasq's rebinding protection does
// not cover), multicast and the reserved/broadcast range. The enclave and
// the uplink's own subnet are added per sentry. An explicit CIDR still
// opens any of them: the guard sits after the CIDR rule.
var neverLearned = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("224.0.0.0/4"),
	netip.MustParsePrefix("240.0.0.0/4"),
}

// renderSets returns the ipset restore document: the allowed CIDRs and the
// never-learned ranges are built under a temporary name and swapped in, so
// a live set is replaced in one step and a failure before the swap leaves
// it as it was; the learned set is only created if missing, so a reload
// keeps what was learned (Apply recreates it first if its lifetime or size
// changed). "" when the policy uses no set.
func renderSets(p policy.Policy, ifs firewall.Interfaces) string {
	if p.Egress != policy.EgressAllowlist {
		return ""
	}
	var b strings.Builder
	b.WriteString("# rbm sets; load with ipset restore after (re)creating the learned set if its shape changed\n")
	swapIn(&b, setAllowed, p.AllowedCIDRs)
	if p.Learns() {
		swapIn(&b, setNever, neverList(p, ifs))
		fmt.Fprintf(&b, "create %s %s -exist\n", setLearned, learnedShape(p))
	}
	return b.String()
}

// swapIn fills name with elems through a temporary set and an atomic swap.
func swapIn(b *strings.Builder, name string, elems []netip.Prefix) {
	shape := fmt.Sprintf("hash:net family inet counters maxelem %d", netMaxElem)
	tmp := name + "-new"
	fmt.Fprintf(b, "create %s %s -exist\n", name, shape)
	fmt.Fprintf(b, "create %s %s -exist\nflush %s\n", tmp, shape, tmp)
	for _, e := range elems {
		fmt.Fprintf(b, "add %s %s\n", tmp, e)
	}
	fmt.Fprintf(b, "swap %s %s\ndestroy %s\n", tmp, name, tmp)
}

// learnedShape is the learned set's create options; Apply compares them
// with the live set's header.
func learnedShape(p policy.Policy) string {
	return fmt.Sprintf("hash:ip family inet timeout %d maxelem %d counters", int(p.Learn.Lifetime.Seconds()), p.Learn.Max)
}

func neverList(p policy.Policy, ifs firewall.Interfaces) []netip.Prefix {
	out := append([]netip.Prefix{}, neverLearned...)
	out = append(out, p.Subnet)
	if ifs.UplinkPrefix.IsValid() {
		out = append(out, ifs.UplinkPrefix.Masked())
	}
	return out
}
