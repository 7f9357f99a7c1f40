package dns

import (
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/policy"
)

var update = flag.Bool("update", false, "rewrite golden files")

var (
	sentryIP   = netip.MustParseAddr("192.0.2.2")
	upstreamIP = netip.MustParseAddr("198.51.100.53")
)

// goldenPolicies are the policies rendered into testdata/<name>.conf.
var goldenPolicies = map[string]policy.Policy{
	"allowlist": {
		SentryIP: sentryIP, Upstream: upstreamIP, DNS: policy.DNSAllowlist,
		AllowedDomains: []string{"mirror.test", "api.allowed.test", "allowed.test"},
	},
	"exact": {
		SentryIP: sentryIP, Upstream: upstreamIP, DNS: policy.DNSAllowlist, Match: policy.MatchExact,
		AllowedDomains: []string{"api.allowed.test", "allowed.test", "*.allowed.test", "*.cdn.test", "www.cdn.test", "mirror.test", "*.x.mirror.test"},
	},
	"wildcards": {
		SentryIP: sentryIP, Upstream: upstreamIP, DNS: policy.DNSAllowlist,
		AllowedDomains: []string{"*.cdn.test", "a.cdn.test", "*.b.cdn.test", "mirror.test", "*.mirror.test"},
	},
	"name-gate": {
		SentryIP: sentryIP, Upstream: upstreamIP, DNS: policy.DNSAllowlist, Egress: policy.EgressAllowlist,
		AllowedDomains: []string{"allowed.test"},
		Learn:          policy.Learn{Enabled: true, Lifetime: 600 * time.Second, Max: 65536},
		Gate:           policy.Gate{Check: policy.NameCheckLearned, Ports: []uint16{80, 443}},
	},
	"allowlist-empty": {SentryIP: sentryIP, Upstream: upstreamIP, DNS: policy.DNSAllowlist},
	"global":          {SentryIP: sentryIP, Upstream: upstreamIP, DNS: policy.DNSGlobal},
	"rebind-ok": {
		SentryIP: sentryIP, Upstream: upstreamIP, DNS: policy.DNSAllowlist,
		AllowedDomains: []string{"allowed.test", "lab.test"},
		RebindOK:       []string{"lab.test", "www.lab.test"},
	},
}

func TestRenderGolden(t *testing.T) {
	for name, p := range goldenPolicies {
		t.Run(name, func(t *testing.T) {
			got := RenderDnsmasq(p, testLearnSet)
			path := filepath.Join("testdata", name+".conf")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/dns -update)", err)
			}
			if got != string(want) {
				t.Errorf("render differs from %s (rerun with -update and review the diff):\n%s", path, got)
			}
		})
	}
}

func TestRenderOff(t *testing.T) {
	p := goldenPolicies["global"]
	p.DNS = policy.DNSOff
	if got := RenderDnsmasq(p, testLearnSet); got != "" {
		t.Errorf("DNS off rendered %q, want nothing", got)
	}
}

// TestRenderAllowlistFailsClosed guards the property golden files could
// lose unnoticed after a careless -update: in allowlist mode no name may be
// forwarded except under an allowed domain, and the rest is NXDOMAIN.
func TestRenderAllowlistFailsClosed(t *testing.T) {
	for _, name := range []string{"allowlist", "allowlist-empty", "rebind-ok"} {
		lines := strings.Split(RenderDnsmasq(goldenPolicies[name], testLearnSet), "\n")
		if !contains(lines, "address=/#/") {
			t.Errorf("%s: no address=/#/, other names would not be NXDOMAIN", name)
		}
		for _, l := range lines {
			if strings.HasPrefix(l, "server=") && !strings.HasPrefix(l, "server=/") {
				t.Errorf("%s: unscoped %q forwards every name", name, l)
			}
		}
	}
	if g := RenderDnsmasq(goldenPolicies["global"], testLearnSet); strings.Contains(g, "address=/#/") {
		t.Error("global mode answers NXDOMAIN for everything")
	}
}

// TestRenderListensOnLoopbackOnly checks the one listening address: the
// bottle reaches dnsmasq only through the DNS guard.
func TestRenderListensOnLoopbackOnly(t *testing.T) {
	lines := strings.Split(RenderDnsmasq(goldenPolicies["global"], testLearnSet), "\n")
	var listen []string
	for _, l := range lines {
		if strings.HasPrefix(l, "listen-address=") || strings.HasPrefix(l, "interface=") {
			listen = append(listen, l)
		}
	}
	if len(listen) != 1 || listen[0] != "listen-address=127.0.0.1" || !contains(lines, "bind-interfaces") || !contains(lines, "port=53") {
		t.Errorf("listening directives %q, want only listen-address=127.0.0.1 port=53 with bind-interfaces", listen)
	}
}

// TestRenderRefusesInjection: a domain that would smuggle in a directive
// must never be rendered, even though config validation should stop it first.
func TestRenderRefusesInjection(t *testing.T) {
	for _, bad := range []string{"a.test\nserver=203.0.113.1", "a.test/203.0.113.1", "#", "", "a..test", "A.test"} {
		p := goldenPolicies["allowlist"]
		p.AllowedDomains = []string{bad}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("domain %q was rendered", bad)
				}
			}()
			RenderDnsmasq(p, testLearnSet)
		}()
	}
}

func TestRenderRequiresUpstreamOnlyWhenForwarding(t *testing.T) {
	p := goldenPolicies["allowlist-empty"]
	p.Upstream = netip.Addr{}
	if !strings.Contains(RenderDnsmasq(p, testLearnSet), "address=/#/") { // must not panic
		t.Error("empty allowlist without upstream rendered no NXDOMAIN rule")
	}
	p = goldenPolicies["global"]
	p.Upstream = netip.Addr{}
	defer func() {
		if recover() == nil {
			t.Error("global mode without upstream was rendered")
		}
	}()
	RenderDnsmasq(p, testLearnSet)
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// testLearnSet is the iptables backend's learned set.
var testLearnSet = LearnSet{Directive: "ipset", Target: "rbm-learn4"}
