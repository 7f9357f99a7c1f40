package dns

import (
	"context"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// exactPolicy allows two names exactly, every name under cdn.test (not
// cdn.test itself), and a name under an exact one.
var exactPolicy = policy.Policy{
	SentryIP: sentryIP, Upstream: upstreamIP, DNS: policy.DNSAllowlist, Match: policy.MatchExact,
	AllowedDomains: []string{"allowed.test", "api.allowed.test", "*.cdn.test", "mirror.test", "*.deep.mirror.test"},
	RebindOK:       []string{"allowed.test", "cdn.test", "mirror.test"},
}

// TestDnsmasqExactNames: in exact mode, the real dnsmasq forwards exactly
// the names the policy resolves and answers every other name (data-shaped
// subdomains of an allowed name above all) NXDOMAIN itself: the upstream's
// own count proves that nothing else left.
func TestDnsmasqExactNames(t *testing.T) {
	needRoot(t)
	ns := newTestNS(t, e2eSetup)
	up := &upstream{answers: map[string]string{
		"allowed.test": "203.0.113.10", "api.allowed.test": "203.0.113.12",
		"www.cdn.test": "203.0.113.13", "a.b.cdn.test": "203.0.113.14",
		"www.allowed.test": "203.0.113.11", "cdn.test": "203.0.113.15",
		"mirror.test": "203.0.113.16", "a.deep.mirror.test": "203.0.113.17", "deep.mirror.test": "203.0.113.18",
	}}
	serveUpstream(t, ns, upstreamIP.String(), up)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	startSupervised(t, ns, exactPolicy)
	waitReady(t, ctx, ns)

	names := []string{
		"allowed.test", "api.allowed.test", "www.cdn.test", "a.b.cdn.test", "mirror.test", "a.deep.mirror.test", // allowed
		"www.allowed.test", "6578666c7465.allowed.test", "x.api.allowed.test", "cdn.test", "other.test", // not
		"deep.mirror.test", "b.mirror.test", "x.a.deep.mirror.test.evil.test",
	}
	for _, name := range names {
		for _, proto := range []string{"udp", "tcp"} {
			checkExact(t, ns, up, proto, name)
		}
	}
}

func checkExact(t *testing.T, ns *testNS, up *upstream, proto, name string) {
	t.Helper()
	before := up.count(name)
	r := queryA(t, ns, proto, name)
	forwarded := up.count(name) - before
	if exactPolicy.Resolves(name) {
		if forwarded != 1 && r.Rcode != dns.RcodeSuccess { // a cache hit forwards nothing
			t.Errorf("%s over %s: %s, forwarded %d times; want the upstream's answer", name, proto, dns.RcodeToString[r.Rcode], forwarded)
		}
		return
	}
	if r.Rcode != dns.RcodeNameError || forwarded != 0 {
		t.Errorf("%s over %s: %s and forwarded upstream %d times; want NXDOMAIN from the sentry, never forwarded", name, proto, dns.RcodeToString[r.Rcode], forwarded)
	}
}

// TestExactModeWithTXTAndNULL: the query type does not open the channel.
func TestExactModeWithTXTAndNULL(t *testing.T) {
	needRoot(t)
	ns := newTestNS(t, e2eSetup)
	up := &upstream{answers: map[string]string{}}
	serveUpstream(t, ns, upstreamIP.String(), up)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	startSupervised(t, ns, exactPolicy)
	waitReady(t, ctx, ns)
	for _, qt := range []uint16{dns.TypeTXT, dns.TypeNULL, dns.TypeAAAA, dns.TypeMX, dns.TypeANY} {
		name := "6578666c7465." + dns.TypeToString[qt] + ".allowed.test"
		m := new(dns.Msg).SetQuestion(dns.Fqdn(name), qt)
		c := &dns.Client{Timeout: 3 * time.Second}
		var r *dns.Msg
		if err := ns.do(func() (err error) { r, _, err = c.Exchange(m, Backend.String()); return err }); err != nil {
			t.Fatalf("%s %s: %v", dns.TypeToString[qt], name, err)
		}
		if r.Rcode != dns.RcodeNameError || up.count(name) != 0 {
			t.Errorf("%s %s: %s, upstream asked %d times; want NXDOMAIN, never forwarded", dns.TypeToString[qt], name, dns.RcodeToString[r.Rcode], up.count(name))
		}
	}
}

// TestSentryTellsNothing: the real dnsmasq, as rendered, gives no identity
// answer (servers.bind would name the upstream), and is still ready in
// global mode with no upstream at all, because the readiness name is
// answered locally.
func TestSentryTellsNothing(t *testing.T) {
	needRoot(t)
	ns := newTestNS(t, e2eSetup) // no upstream served
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	startSupervised(t, ns, goldenPolicies["global"])
	waitReady(t, ctx, ns)
	for _, name := range []string{"version.bind.", "servers.bind.", "hostname.bind.", "id.server.", "version.server.", "authors.bind."} {
		m := new(dns.Msg).SetQuestion(name, dns.TypeTXT)
		m.Question[0].Qclass = dns.ClassCHAOS
		c := &dns.Client{Timeout: 3 * time.Second}
		var r *dns.Msg
		if err := ns.do(func() (err error) { r, _, err = c.Exchange(m, Backend.String()); return err }); err != nil {
			t.Fatalf("CH TXT %s: %v", name, err)
		}
		if len(r.Answer) > 0 || r.Rcode == dns.RcodeSuccess {
			t.Errorf("CH TXT %s: %s with %v, want no answer", name, dns.RcodeToString[r.Rcode], r.Answer)
		}
	}
}
