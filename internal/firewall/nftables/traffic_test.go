package nftables_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/recipe-bottle/rbm/internal/firewall"
)

// trafficIfs are the sentry's links in newTrio; the uplink's own subnet
// holds the allowed 198.51.100.80 and the never-learnable 198.51.100.99.
var trafficIfs = firewall.Interfaces{Enclave: "rbm-enc", Uplink: "rbm-up", UplinkPrefix: netip.MustParsePrefix("198.51.100.0/24")}

// TestTrafficThroughSentry loads a learning allowlist ruleset into a real
// sentry namespace and proves connection by connection, counter by
// counter: explicit CIDRs pass (even inside never4), learned addresses
// pass only outside never4 and only while learned, IPv6 and the rest are
// dropped, port 53 goes to the sentry.
func TestTrafficThroughSentry(t *testing.T) {
	needRoot(t, "sysctl")
	tr := newTrio(t)
	ctx := context.Background()
	fw := tr.firewall(t)
	p := learningPolicy(600)
	p.AllowedCIDRs = []netip.Prefix{netip.MustParsePrefix("198.51.100.80/32"), netip.MustParsePrefix("203.0.113.0/24")}
	if err := fw.Apply(ctx, fw.Render(p, trafficIfs)); err != nil {
		t.Fatal(err)
	}
	serveTCP(t, tr.wan, ":8080", "wan")
	serveTCP(t, tr.sentry, "192.0.2.2:53", "sentry")
	serveTCP(t, tr.sentry, "[2001:db8:1::2]:53", "sentry6")
	learned := netip.MustParseAddr("198.18.0.10")
	steps := []struct {
		name, addr, want, moved string
		before                  func()
	}{
		{"allowed cidr", "203.0.113.10:8080", "wan", "rbm:" + firewall.AllowID(netip.MustParsePrefix("203.0.113.0/24")), nil},
		{"allowed cidr in never4", "198.51.100.80:8080", "wan", "rbm:" + firewall.AllowID(netip.MustParsePrefix("198.51.100.80/32")), nil},
		{"not allowed", "198.18.0.10:8080", "timeout", "rbm:fwd-drop", nil},
		{"learned", "198.18.0.10:8080", "wan", "rbm:" + firewall.LearnedID(learned), func() {
			tr.sentry.Must(t, "nft", "add", "element", "inet", "rbm", "learn4", "{ 198.18.0.10 }")
		}},
		{"learned in never4", "198.51.100.99:8080", "timeout", "rbm:fwd-learn-guard", func() {
			tr.sentry.Must(t, "nft", "add", "element", "inet", "rbm", "learn4", "{ 198.51.100.99 }")
		}},
		{"forgotten", "198.18.0.10:8080", "timeout", "rbm:fwd-drop", func() {
			if err := fw.Forget(ctx, []netip.Addr{learned}); err != nil {
				t.Fatal(err)
			}
		}},
		{"dns redirected", "198.51.100.99:53", "sentry", "rbm:nat-dns-tcp", nil},
		{"ipv6 dropped", "[2001:db8:1::2]:53", "timeout", "rbm:v6-in-drop", nil},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		before, err := fw.Counters(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := dial(tr.bottle, s.addr)
		after, err := fw.Counters(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != s.want {
			t.Errorf("%s: %s answered %q, want %q", s.name, s.addr, got, s.want)
		}
		if d := after.Delta(before).Rules[s.moved]; d.Packets == 0 {
			t.Errorf("%s: %s did not count; moved %q", s.name, s.moved, after.Delta(before).Moved())
		}
	}
}
