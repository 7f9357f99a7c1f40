package iptables_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/iptables"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// learnedAddrs lists the learned set's addresses as strings.
func learnedAddrs(t *testing.T, f iptables.Firewall) []string {
	t.Helper()
	ls, err := f.Learned(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range ls {
		out = append(out, l.Addr.String())
	}
	return out
}

// TestLearnedSetAcrossApply: a re-apply with another CIDR list keeps what
// was learned; a new lifetime recreates the set empty; Forget deletes; the
// counters name learned addresses and CIDR elements.
func TestLearnedSetAcrossApply(t *testing.T) {
	needRoot(t, "iptables-restore", "ip6tables-restore", "ipset")
	ns := newNetns(t)
	ctx := context.Background()
	f := iptables.Firewall{Runner: ns}
	p := realLearnPolicy()
	if err := f.Apply(ctx, f.Render(p, realLearnIfs)); err != nil {
		t.Fatal(err)
	}
	ns.Must(t, "ipset", "add", "rbm-learn4", "203.0.113.7")
	ns.Must(t, "ipset", "add", "rbm-learn4", "203.0.113.8")

	p.AllowedCIDRs = append(p.AllowedCIDRs, netip.MustParsePrefix("198.51.100.200/32"))
	if err := f.Apply(ctx, f.Render(p, realLearnIfs)); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(learnedAddrs(t, f), " "); !strings.Contains(got, "203.0.113.7") || !strings.Contains(got, "203.0.113.8") {
		t.Fatalf("after a CIDR change the learned set holds %q, want both addresses", got)
	}
	snap, err := f.Counters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"rbm:fwd-learned-203.0.113.7", "rbm:fwd-allow-198.51.100.200/32", "rbm:fwd-allow-203.0.113.0/24", "rbm:fwd-learned"} {
		if _, ok := snap.Rules[id]; !ok {
			t.Errorf("counters lack %s", id)
		}
	}

	if err := f.Forget(ctx, []netip.Addr{netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("203.0.113.99")}); err != nil {
		t.Fatal(err)
	}
	if got := learnedAddrs(t, f); len(got) != 1 || got[0] != "203.0.113.8" {
		t.Errorf("after Forget: %q, want only 203.0.113.8", got)
	}

	p.Learn.Lifetime = 60 * time.Second
	if err := f.Apply(ctx, f.Render(p, realLearnIfs)); err != nil {
		t.Fatal(err)
	}
	if got := learnedAddrs(t, f); len(got) != 0 {
		t.Errorf("after a lifetime change: %q, want an empty set", got)
	}
	if h := ns.Must(t, "ipset", "list", "-t", "rbm-learn4"); !strings.Contains(h, "timeout 60 ") {
		t.Errorf("learned set not recreated with the new lifetime:\n%s", h)
	}
}

// TestLearnedSetFull: at the cap, a new address is refused (fail closed:
// it stays unreachable) and the ones already in stay.
func TestLearnedSetFull(t *testing.T) {
	needRoot(t, "iptables-restore", "ip6tables-restore", "ipset")
	ns := newNetns(t)
	ctx := context.Background()
	f := iptables.Firewall{Runner: ns}
	p := realLearnPolicy()
	p.Learn.Max = 2
	if err := f.Apply(ctx, f.Render(p, realLearnIfs)); err != nil {
		t.Fatal(err)
	}
	ns.Must(t, "ipset", "add", "rbm-learn4", "203.0.113.1")
	ns.Must(t, "ipset", "add", "rbm-learn4", "203.0.113.2")
	_, err := ns.Run(ctx, runnerCmd("ipset", "add", "rbm-learn4", "203.0.113.3"))
	if err == nil || !strings.Contains(err.Error(), "full") {
		t.Errorf("third add: err = %v, want the set to be full", err)
	}
	if got := learnedAddrs(t, f); len(got) != 2 {
		t.Errorf("learned = %q, want the first two", got)
	}
	for addr, want := range map[string]bool{"203.0.113.1": true, "203.0.113.3": false} {
		if held, err := f.Holds(ctx, netip.MustParseAddr(addr)); err != nil || held != want {
			t.Errorf("Holds(%s) = %v, %v; want %v", addr, held, err, want)
		}
	}
}

// TestAddExistRefreshes: the kernel restarts an element's timeout when it
// is added again with the exist flag, which dnsmasq's add sets (the
// Refresh no-op relies on this; dns's e2e test checks dnsmasq itself).
func TestAddExistRefreshes(t *testing.T) {
	needRoot(t, "ipset")
	ns := newNetns(t)
	ns.Must(t, "ipset", "create", "t", "hash:ip", "timeout", "100")
	ns.Must(t, "ipset", "add", "t", "203.0.113.1", "timeout", "5")
	ns.Must(t, "ipset", "add", "t", "203.0.113.1", "-exist")
	if out := ns.Must(t, "ipset", "list", "t"); !strings.Contains(out, "203.0.113.1 timeout 100") && !strings.Contains(out, "203.0.113.1 timeout 99") {
		t.Errorf("timeout not restarted:\n%s", out)
	}
}

func runnerCmd(name string, args ...string) runner.Cmd { return runner.Cmd{Name: name, Args: args} }

// realLearnPolicy is trafficPolicy learning, with a short lifetime.
func realLearnPolicy() policy.Policy {
	p := trafficPolicy(policy.InterceptRedirect)
	p.Learn = policy.Learn{Enabled: true, Lifetime: 600 * time.Second, Max: 1000}
	return p
}

var realLearnIfs = firewall.Interfaces{Enclave: "rbm-enc", Uplink: "rbm-up", UplinkPrefix: netip.MustParsePrefix("198.51.100.1/25")}
