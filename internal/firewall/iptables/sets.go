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

// renderSets returns the ipset restore document: the allowed CIDRs, the
// never-learned ranges and the global guards' ranges are built under a
// temporary name and swapped in, so a live set is replaced in one step and
// a failure before the swap leaves it as it was; the learned set is only created if missing, so a reload
// keeps what was learned (Apply recreates it first if its lifetime or size
// changed). "" when the policy uses no set.
func renderSets(p policy.Policy, ifs firewall.Interfaces) string {
	if p.Egress != policy.EgressAllowlist && p.Egress != policy.EgressGlobal {
		return ""
	}
	var b strings.Builder
	b.WriteString("# rbm sets; load with ipset restore after (re)creating the learned set if its shape changed\n")
	swapIn(&b, setAllowed, p.AllowedCIDRs)
	if p.GuardsHost() {
		hosts := make([]netip.Prefix, len(p.HostAddrs))
		for i, a := range p.HostAddrs {
			hosts[i] = netip.PrefixFrom(a, 32)
		}
		swapIn(&b, setHost, hosts)
	}
	for _, g := range p.GlobalGuards(ifs.UplinkPrefix) {
		if len(g.Ranges) > 1 {
			swapIn(&b, guardSet(g.Rule), g.Ranges)
		}
	}
	if p.Learns() {
		swapIn(&b, setNever, p.NeverLearned(ifs.UplinkPrefix))
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
