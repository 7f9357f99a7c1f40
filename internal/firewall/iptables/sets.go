package iptables

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
)

// netMaxElem caps the CIDR sets. It is fixed, not sized to the list: the
// live set and its replacement must be created with the same options
// ("create -exist" fails on any difference), and a hash set allocates as
// it fills, so a high cap costs nothing.
const netMaxElem = 1 << 20

// setsDoc returns the ipset restore document of the sets m's rules use:
// the allowed CIDRs, the host's addresses, the global guards' ranges and
// the never-learned ranges are built under a temporary name and swapped
// in, so a live set is replaced in one step and a failure before the swap
// leaves it as it was; the learned set is only created if missing, so a
// reload keeps what was learned (Apply recreates it first if its lifetime
// or size changed). "" when no rule uses a set.
func setsDoc(m firewall.Model) string {
	if !m.Uses(firewall.SetAllowed) {
		return ""
	}
	var b strings.Builder
	b.WriteString("# rbm sets; load with ipset restore after (re)creating the learned set if its shape changed\n")
	fill := func(s firewall.Set) {
		if f, ok := m.Fill(s); ok && m.Uses(s) {
			swapIn(&b, setNames[s], f.Elements)
		}
	}
	fill(firewall.SetAllowed)
	fill(firewall.SetHost)
	for _, g := range guards(m) {
		swapIn(&b, guardSet(g.Name), g.Ranges)
	}
	fill(firewall.SetNever)
	if f, ok := m.Fill(firewall.SetLearned); ok && m.Uses(firewall.SetLearned) {
		fmt.Fprintf(&b, "create %s %s -exist\n", setLearned, learnedShape(f))
	}
	return b.String()
}

// guards are the range matches that translate to an ipset of their own
// (more than one range), once each, in rule order.
func guards(m firewall.Model) []firewall.Term {
	var out []firewall.Term
	for _, r := range m.Rules {
		for _, t := range r.Match {
			if t.Kind == firewall.DstRanges && len(t.Ranges) > 1 && !slices.ContainsFunc(out, func(o firewall.Term) bool { return o.Name == t.Name }) {
				out = append(out, t)
			}
		}
	}
	return out
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
func learnedShape(f firewall.Fill) string {
	return fmt.Sprintf("hash:ip family inet timeout %d maxelem %d counters", int(f.Lifetime.Seconds()), f.Max)
}
