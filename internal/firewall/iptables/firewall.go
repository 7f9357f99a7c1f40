// Package iptables is the iptables backend of the sentry's firewall: it
// renders the policy as iptables-restore and ip6tables-restore documents,
// applies each in one atomic call through runner.Runner, refuses a
// namespace whose other iptables backend (legacy vs nf_tables) holds rules,
// and reads counters back from iptables-save. Rendering is pure; every rule
// carries a stable "rbm:<id>" comment so its counters can be attributed.
package iptables

import (
	"context"
	"net/netip"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Name selects this backend in RBRR_FIREWALL_BACKEND.
const Name = "iptables"

// Firewall is the iptables backend; it runs every program through Runner.
type Firewall struct {
	Runner runner.Runner
}

var _ firewall.Backend = Firewall{}

// Name implements firewall.Backend.
func (Firewall) Name() string { return Name }

// Check refuses a namespace whose other iptables backend holds rules.
func (f Firewall) Check(ctx context.Context) error {
	_, err := CheckBackends(ctx, f.Runner)
	return err
}

// Render returns the IPv4 and IPv6 documents for p.
func (Firewall) Render(p policy.Policy, ifs firewall.Interfaces) firewall.Ruleset {
	return firewall.Ruleset{Docs: []firewall.Doc{
		{Name: "iptables", Text: RenderIPv4(p, ifs)},
		{Name: "ip6tables", Text: RenderIPv6()},
	}}
}

// Apply loads rs's documents, each in one restore call.
func (f Firewall) Apply(ctx context.Context, rs firewall.Ruleset) error {
	return Apply(ctx, f.Runner, rs.Text("iptables"), rs.Text("ip6tables"))
}

// Lockdown loads the fail-closed rulesets.
func (f Firewall) Lockdown(ctx context.Context) error { return ApplyLockdown(ctx, f.Runner) }

// Counters reads every rule's counters.
func (f Firewall) Counters(ctx context.Context) (firewall.Snapshot, error) {
	return ReadCounters(ctx, f.Runner)
}

// Learned lists nothing yet.
func (f Firewall) Learned(ctx context.Context) ([]firewall.Learned, error) { return nil, nil }

// Forget removes learned addresses.
func (f Firewall) Forget(ctx context.Context, addrs []netip.Addr) error { return nil }

// Refresh is not needed: dnsmasq's ipset add refreshes the timeout.
func (f Firewall) Refresh(ctx context.Context, addrs []netip.Addr) error { return nil }

// ResolverSet names the ipset dnsmasq fills.
func (Firewall) ResolverSet() (string, string) { return "ipset", setLearned }
