package nftables

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
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
func lifetimeSeconds(d time.Duration) int {
	return max(int(d/time.Second), 1)
}

// setSpecs declare the model's sets other than the learned one.
var setSpecs = map[firewall.Set]string{
	firewall.SetAllowed: specAllowed,
	firewall.SetNever:   specNever,
	firewall.SetHost:    specNever,
}

// sets translates the model's sets, each declared whether or not a rule
// uses it, so the table has one shape whatever the mode.
func sets(m firewall.Model) []set {
	out := make([]set, 0, len(m.Sets))
	for _, f := range m.Sets {
		if f.Set == firewall.SetLearned {
			out = append(out, set{name: setLearned, spec: specLearned(lifetimeSeconds(f.Lifetime), f.Max), keep: true})
			continue
		}
		out = append(out, set{name: setNames[f.Set], spec: setSpecs[f.Set], elements: elements(f.Elements)})
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
