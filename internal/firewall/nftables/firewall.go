// Package nftables is the nftables backend of the sentry's firewall: it
// translates the rule model (firewall.Build) into one nft transaction over
// one table, inet rbm, which filters IPv4 and drops IPv6. Allowed CIDRs
// and learned addresses are sets of that table, with a counter per
// element. Every program runs through runner.Runner; rendering is pure.
package nftables

import (
	"context"
	"net/netip"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Name selects this backend in RBRR_FIREWALL_BACKEND.
const Name = "nftables"

// DocName labels the one document of a Ruleset (what loads it).
const DocName = "nft"

// Firewall is the nftables backend; it runs every program through Runner.
// It holds no state: what Refresh needs (learn4's timeout) is read back
// from the kernel, so any Firewall value works on a loaded table.
type Firewall struct {
	Runner runner.Runner
}

var _ firewall.Backend = Firewall{}

// Name implements firewall.Backend.
func (Firewall) Name() string { return Name }

// Check refuses a namespace holding rules outside table inet rbm that
// packets would also cross (a *ForeignRulesError).
func (f Firewall) Check(ctx context.Context) error { return CheckForeign(ctx, f.Runner) }

// Render returns the one nft document for p.
func (Firewall) Render(p policy.Policy, ifs firewall.Interfaces) firewall.Ruleset {
	return firewall.Ruleset{Docs: []firewall.Doc{{Name: DocName, Text: RenderDoc(p, ifs)}}}
}

// Apply loads rs's document in one nft transaction, keeping learn4.
func (f Firewall) Apply(ctx context.Context, rs firewall.Ruleset) error {
	return Apply(ctx, f.Runner, rs.Text(DocName))
}

// Lockdown replaces table inet rbm with the closed one.
func (f Firewall) Lockdown(ctx context.Context) error { return ApplyLockdown(ctx, f.Runner) }

// Counters reads every rule's and set element's counters.
func (f Firewall) Counters(ctx context.Context) (firewall.Snapshot, error) {
	return ReadCounters(ctx, f.Runner)
}

// Learned lists learn4's elements.
func (f Firewall) Learned(ctx context.Context) ([]firewall.Learned, error) {
	return ReadLearned(ctx, f.Runner)
}

// Forget removes addrs from learn4.
func (f Firewall) Forget(ctx context.Context, addrs []netip.Addr) error {
	return Forget(ctx, f.Runner, addrs)
}

// Refresh restarts the lifetime of addrs in learn4.
func (f Firewall) Refresh(ctx context.Context, addrs []netip.Addr) error {
	return Refresh(ctx, f.Runner, addrs)
}

// Holds reports whether learn4 holds addr.
func (f Firewall) Holds(ctx context.Context, addr netip.Addr) (bool, error) {
	return Holds(ctx, f.Runner, addr)
}

// ResolverSet names the set dnsmasq fills: family 4, table inet rbm, learn4.
func (Firewall) ResolverSet() (string, string) {
	return "nftset", "4#" + family + "#" + tableName + "#" + setLearned
}
