// Package iptables is the iptables backend of the sentry's firewall: it
// translates the rule model (firewall.Build) into ipset, iptables-restore
// and ip6tables-restore documents,
// applies each in one atomic call through runner.Runner, refuses a
// namespace whose other iptables backend (legacy vs nf_tables) holds rules,
// and reads counters back from iptables-save. Rendering is pure; every rule
// carries a stable "rbm:<id>" comment so its counters can be attributed.
package iptables

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

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

// Check refuses a namespace whose other iptables backend holds rules, or
// that still holds the nftables backend's table (a sentry switched from
// RBRR_FIREWALL_BACKEND=nftables in a namespace that outlived it): packets
// would cross both.
func (f Firewall) Check(ctx context.Context) error {
	if _, err := CheckBackends(ctx, f.Runner); err != nil {
		return err
	}
	if _, err := f.Runner.Run(ctx, runner.Cmd{Name: "nft", Args: []string{"list", "table", "inet", "rbm"}}); err == nil {
		return fmt.Errorf("firewall backend split: this namespace holds table inet rbm of rbm's nftables backend, " +
			"but RBRR_FIREWALL_BACKEND=iptables; packets would cross both. Delete it (nft delete table inet rbm) " +
			"or start the sentry in a fresh network namespace")
	}
	return nil
}

// Render returns the sets, IPv4 and IPv6 documents for p, translated from
// one rule model.
func (Firewall) Render(p policy.Policy, ifs firewall.Interfaces) firewall.Ruleset {
	m := firewall.Build(p, ifs)
	docs := []firewall.Doc{
		{Name: "iptables", Text: renderIPv4(p, m)},
		{Name: "ip6tables", Text: RenderIPv6()},
	}
	if sets := setsDoc(m); sets != "" {
		docs = append([]firewall.Doc{{Name: "ipset", Text: sets}}, docs...)
	}
	return firewall.Ruleset{Docs: docs}
}

// Apply loads the sets (they must exist before a rule names them), then
// the IPv4 and IPv6 rulesets, each in one restore call.
func (f Firewall) Apply(ctx context.Context, rs firewall.Ruleset) error {
	if sets := rs.Text("ipset"); sets != "" {
		if err := applySets(ctx, f.Runner, sets); err != nil {
			return err
		}
	}
	return Apply(ctx, f.Runner, rs.Text("iptables"), rs.Text("ip6tables"))
}

// Lockdown loads the fail-closed rulesets.
func (f Firewall) Lockdown(ctx context.Context) error { return ApplyLockdown(ctx, f.Runner) }

// Counters reads every rule's counters, then every set element's.
func (f Firewall) Counters(ctx context.Context) (firewall.Snapshot, error) {
	snap, err := ReadCounters(ctx, f.Runner)
	if err != nil {
		return snap, err
	}
	sets, err := readSets(ctx, f.Runner)
	if err != nil {
		return snap, err
	}
	sets.addTo(snap)
	return snap, nil
}

// Learned lists the learned set's elements.
func (f Firewall) Learned(ctx context.Context) ([]firewall.Learned, error) {
	sets, err := readSets(ctx, f.Runner)
	if err != nil {
		return nil, err
	}
	return sets.learned, nil
}

// Forget deletes learned addresses in one ipset restore; ones already gone
// are ignored (-exist).
func (f Firewall) Forget(ctx context.Context, addrs []netip.Addr) error {
	if len(addrs) == 0 {
		return nil
	}
	var b strings.Builder
	for _, a := range addrs {
		fmt.Fprintf(&b, "del %s %s -exist\n", setLearned, a)
	}
	if _, err := f.Runner.Run(ctx, runner.Cmd{Name: "ipset", Args: []string{"restore"}, Stdin: b.String()}); err != nil {
		return fmt.Errorf("forget learned addresses: %w", err)
	}
	return nil
}

// Refresh does nothing: dnsmasq adds with the kernel's "exist" flag, which
// restarts an element's timeout (measured: TestDnsmasqRefreshesLearned).
func (f Firewall) Refresh(ctx context.Context, addrs []netip.Addr) error { return nil }

// Holds runs "ipset test", which fails with "is NOT in set" for a missing
// element.
func (f Firewall) Holds(ctx context.Context, addr netip.Addr) (bool, error) {
	_, err := f.Runner.Run(ctx, runner.Cmd{Name: "ipset", Args: []string{"test", setLearned, addr.String()}})
	switch {
	case err == nil:
		return true, nil
	case strings.Contains(err.Error(), "NOT in set"):
		return false, nil
	}
	return false, fmt.Errorf("test the learned set for %s: %w", addr, err)
}

// ResolverSet names the ipset dnsmasq fills.
func (Firewall) ResolverSet() (string, string) { return "ipset", setLearned }
