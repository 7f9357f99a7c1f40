package nftables

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// Set declarations. allow4, never4 and host4 always exist, so the table has one
// shape whatever the mode; learn4 only when the policy learns.
const (
	specAllowed = "type ipv4_addr; flags interval; counter;"
	specNever   = "type ipv4_addr; flags interval;"
)

// specLearned declares learn4 for lifetime and size; Apply compares the
// kernel's set with these two values to decide whether to keep it.
func specLearned(lifetime, size int) string {
	return fmt.Sprintf("type ipv4_addr; flags timeout; timeout %ds; size %d; counter;", lifetime, size)
}

// lifetimeSeconds is the learned set's timeout in whole seconds (at least 1).
func lifetimeSeconds(p policy.Policy) int {
	return max(int(p.Learn.Lifetime/time.Second), 1)
}

// sets returns the table's sets for p.
func sets(p policy.Policy, ifs firewall.Interfaces) []set {
	var allowed []netip.Prefix
	if p.Egress == policy.EgressAllowlist || p.Egress == policy.EgressGlobal {
		allowed = p.AllowedCIDRs
	}
	never := p.NeverLearned(ifs.UplinkPrefix)
	out := []set{
		{name: setAllowed, spec: specAllowed, elements: elements(allowed)},
		{name: setNever, spec: specNever, elements: elements(never)},
		{name: setHost, spec: specNever, elements: elements(hostPrefixes(p))},
	}
	if p.Learns() {
		out = append(out, set{name: setLearned, spec: specLearned(lifetimeSeconds(p), p.Learn.Max), keep: true})
	}
	return out
}

// hostPrefixes are the host's addresses as /32 prefixes.
func hostPrefixes(p policy.Policy) []netip.Prefix {
	out := make([]netip.Prefix, len(p.HostAddrs))
	for i, a := range p.HostAddrs {
		out[i] = netip.PrefixFrom(a, 32)
	}
	return out
}

// elements renders prefixes as interval elements, sorted, leaving out every
// prefix inside another one: nft refuses overlapping intervals in one set,
// and the outer prefix already matches everything the inner one would.
func elements(ps []netip.Prefix) []string {
	valid := make([]netip.Prefix, 0, len(ps))
	for _, p := range ps {
		if p.IsValid() && p.Addr().Is4() {
			valid = append(valid, p.Masked())
		}
	}
	slices.SortFunc(valid, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	var out []string
	var last netip.Prefix
	for _, p := range valid {
		if last.IsValid() && last.Bits() <= p.Bits() && last.Contains(p.Addr()) {
			continue // sorted by address, a container comes before what it holds
		}
		out = append(out, p.String())
		last = p
	}
	return out
}
