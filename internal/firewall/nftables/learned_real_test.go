package nftables_test

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/nftables"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// realIfs need not exist: every rule matches interfaces by name.
var realIfs = firewall.Interfaces{Enclave: "rbm-enc", Uplink: "rbm-up", UplinkPrefix: netip.MustParsePrefix("10.88.0.0/16")}

// learningPolicy learns addresses for lifetime seconds.
func learningPolicy(lifetime int) policy.Policy {
	return policy.Policy{
		SentryIP: netip.MustParseAddr("192.0.2.2"), BottleIP: netip.MustParseAddr("192.0.2.3"),
		Subnet: netip.MustParsePrefix("192.0.2.0/24"), Egress: policy.EgressAllowlist,
		AllowedCIDRs: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")},
		DNS:          policy.DNSAllowlist, AllowedDomains: []string{"example.test"},
		Upstream: netip.MustParseAddr("198.51.100.53"), Intercept: policy.InterceptRedirect,
		Learn: policy.Learn{Enabled: true, Lifetime: time.Duration(lifetime) * time.Second, Max: 1024},
	}
}

// learnedAddrs lists learn4's addresses.
func learnedAddrs(t *testing.T, fw nftables.Firewall) []netip.Addr {
	t.Helper()
	ls, err := fw.Learned(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []netip.Addr
	for _, l := range ls {
		out = append(out, l.Addr)
	}
	return out
}

// TestLearnedSurvivesReload: an element dnsmasq would have added survives
// a reload with other CIDRs and entry settings, and is gone once the
// lifetime changes (the set starts afresh) or learning stops.
func TestLearnedSurvivesReload(t *testing.T) {
	needRoot(t)
	ns := newNetns(t)
	ctx := context.Background()
	fw := nftables.Firewall{Runner: ns}
	p := learningPolicy(600)
	if err := fw.Apply(ctx, fw.Render(p, realIfs)); err != nil {
		t.Fatal(err)
	}
	a := netip.MustParseAddr("198.51.100.7")
	ns.Must(t, "nft", "add", "element", "inet", "rbm", "learn4", "{ 198.51.100.7 }")
	p.AllowedCIDRs = append(p.AllowedCIDRs, netip.MustParsePrefix("198.51.100.128/25"))
	p.Entry = &policy.Entry{WorkstationPort: 8443, EnclavePort: 8000}
	if err := fw.Apply(ctx, fw.Render(p, realIfs)); err != nil {
		t.Fatal(err)
	}
	if got := learnedAddrs(t, fw); !slices.Equal(got, []netip.Addr{a}) {
		t.Fatalf("after a reload with the same lifetime, learn4 = %v, want [%s]", got, a)
	}
	if list := ns.Must(t, "nft", "list", "set", "inet", "rbm", "allow4"); !strings.Contains(list, "198.51.100.128/25") {
		t.Errorf("allow4 not refilled:\n%s", list)
	}
	p.Learn.Lifetime = 300 * time.Second
	if err := fw.Apply(ctx, fw.Render(p, realIfs)); err != nil {
		t.Fatal(err)
	}
	if got := learnedAddrs(t, fw); len(got) != 0 {
		t.Fatalf("after a lifetime change, learn4 = %v, want empty", got)
	}
	if list := ns.Must(t, "nft", "list", "set", "inet", "rbm", "learn4"); !strings.Contains(list, "timeout 5m") {
		t.Errorf("learn4 not recreated with the new lifetime:\n%s", list)
	}
	p.Learn.Enabled = false
	if err := fw.Apply(ctx, fw.Render(p, realIfs)); err != nil {
		t.Fatal(err)
	}
	if list := ns.Must(t, "nft", "list", "table", "inet", "rbm"); strings.Contains(list, "learn4") {
		t.Errorf("learning disabled, learn4 still there:\n%s", list)
	}
}

// TestForgetRefreshLearned: Forget removes present and ignores absent
// addresses in one call; Refresh restores the full lifetime of a present
// address (which a plain add does not) and adds an absent one.
func TestForgetRefreshLearned(t *testing.T) {
	needRoot(t)
	ns := newNetns(t)
	ctx := context.Background()
	fw := nftables.Firewall{Runner: ns}
	if err := fw.Apply(ctx, fw.Render(learningPolicy(100), realIfs)); err != nil {
		t.Fatal(err)
	}
	a, b, c := netip.MustParseAddr("198.51.100.1"), netip.MustParseAddr("198.51.100.2"), netip.MustParseAddr("198.51.100.3")
	ns.Must(t, "nft", "add", "element", "inet", "rbm", "learn4", "{ 198.51.100.1 expires 10s, 198.51.100.2 }")
	if err := fw.Forget(ctx, []netip.Addr{b, c}); err != nil {
		t.Fatalf("forget: %v", err)
	}
	if got := learnedAddrs(t, fw); !slices.Equal(got, []netip.Addr{a}) {
		t.Fatalf("after Forget, learn4 = %v, want [%s]", got, a)
	}
	if err := fw.Refresh(ctx, []netip.Addr{a, c}); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	ls, err := fw.Learned(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 2 {
		t.Fatalf("after Refresh, learn4 = %v, want %s and %s", ls, a, c)
	}
	for _, l := range ls {
		if l.Expires < 90*time.Second || l.Expires > 100*time.Second {
			t.Errorf("%s expires in %v after Refresh, want about 100s", l.Addr, l.Expires)
		}
	}
	if err := fw.Forget(ctx, nil); err != nil {
		t.Errorf("forget nothing: %v", err)
	}
}
