package suggest

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/events"
)

func TestBuildAndPrint(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	evs := []events.Event{
		{Time: at(0), Kind: events.Lifecycle, What: "ready"},
		{Time: at(1), Kind: events.DNS, Name: "pypi.test", Verdict: events.NotAllowed},
		{Time: at(5), Kind: events.DNS, Name: "pypi.test", Verdict: events.NotAllowed},
		{Time: at(2), Kind: events.DNS, Name: "allowed.test", Verdict: events.Answered},
		{Time: at(3), Kind: events.DNS, Name: "x.allowed.test", Verdict: events.UpstreamFailed},
		{Time: at(4), Kind: events.Deny, Rule: "rbm:fwd-drop", Proto: "tcp", Dst: "198.51.100.99", Port: 443},
		{Time: at(6), Kind: events.Deny, Rule: "rbm:fwd-drop", Proto: "udp", Dst: "198.51.100.99", Port: 123},
		{Time: at(7), Kind: events.Deny, Rule: "rbm:fwd-drop", Proto: "tcp", Dst: "203.0.113.7", Port: 22, Name: "ssh.other.test"},
		{Time: at(8), Kind: events.Deny, Rule: "rbm:fwd-drop", Proto: "tcp", Dst: "203.0.113.1", Port: 80},
		{Time: at(9), Kind: events.Deny, Rule: "rbm:fwd-linklocal", Proto: "tcp", Dst: "169.254.169.254", Port: 80},
		{Time: at(10), Kind: events.Deny, Rule: "rbm:in-enclave-drop", Proto: "tcp", Dst: "10.242.0.2", Port: 22},
	}
	r := Build(evs)
	if len(r.Names) != 1 || r.Names[0].Value != "pypi.test" || r.Names[0].Count != 2 || !r.Names[0].First.Equal(at(1)) || !r.Names[0].Last.Equal(at(5)) {
		t.Errorf("names = %+v, want pypi.test twice, seen at 1 s and 5 s", r.Names)
	}
	var addrs []string
	for _, a := range r.Addresses {
		addrs = append(addrs, a.Value)
	}
	if !slices.Equal(addrs, []string{"198.51.100.99", "203.0.113.1", "203.0.113.7"}) {
		t.Errorf("addresses = %q", addrs)
	}
	if p := r.Addresses[0].Ports; !slices.Equal(p, []string{"tcp/443", "udp/123"}) {
		t.Errorf("ports of 198.51.100.99 = %q", p)
	}
	if len(r.Never) != 2 {
		t.Errorf("never = %+v, want the metadata and the sentry-port refusals", r.Never)
	}
	cur := Current{Domains: []string{"allowed.test"}, CIDRs: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/30")}}
	var b strings.Builder
	r.Print(&b, cur)
	out := b.String()
	for _, want := range []string{
		`RBRN_UPLINK_ALLOWED_DOMAINS='allowed.test pypi.test'`,
		// 203.0.113.1 is inside the allowed /30 already: refused for another reason, not added again.
		`RBRN_UPLINK_ALLOWED_CIDRS='203.0.113.0/30 198.51.100.99/32 203.0.113.7/32'`,
		"(ssh.other.test)", "2 times", "link-local (cloud metadata)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestNothingRefused(t *testing.T) {
	var b strings.Builder
	Build([]events.Event{{Kind: events.DNS, Name: "a.test", Verdict: events.Answered}}).Print(&b, Current{})
	if !strings.Contains(b.String(), "nothing to add") || strings.Contains(b.String(), "RBRN_") {
		t.Errorf("output = %q", b.String())
	}
}

// TestBuildGate: a name the gate refused on a learned address is proposed
// like a name the resolver refused; the gate's other refusals are not.
func TestBuildGate(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	r := Build([]events.Event{
		{Time: t0, Kind: events.Deny, Rule: "rbm:gate-name", Proto: "tls", Dst: "198.51.100.77", Port: 443, Name: "evil.test"},
		{Time: t0, Kind: events.Deny, Rule: "rbm:gate-unlearned", Proto: "tls", Dst: "198.51.100.77", Port: 443, Name: "allowed.test"},
		{Time: t0, Kind: events.Deny, Rule: "rbm:gate-no-name", Proto: "tls", Dst: "198.51.100.77", Port: 443},
	})
	if len(r.Names) != 1 || r.Names[0].Value != "evil.test" || len(r.Addresses) != 0 || len(r.Never) != 2 {
		t.Fatalf("names %+v, addresses %+v, never %+v; want evil.test proposed and two gate refusals listed as never", r.Names, r.Addresses, r.Never)
	}
	var b strings.Builder
	r.Print(&b, Current{Domains: []string{"allowed.test"}})
	if out := b.String(); !strings.Contains(out, `RBRN_UPLINK_ALLOWED_DOMAINS='allowed.test evil.test'`) || !strings.Contains(out, "TLS without a name") {
		t.Errorf("output:\n%s", out)
	}
}
