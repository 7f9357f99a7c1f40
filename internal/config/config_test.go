package config

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// base is a valid regime used under each case.
var base = map[string]Setting{
	"RBRR_POD_SUBNET": {Value: "192.0.2.0/24"},
	"RBRR_SENTRY_IP":  {Value: "192.0.2.2"},
	"RBRR_BOTTLE_IP":  {Value: "192.0.2.3"},
	"RBRR_DNS_SERVER": {Value: "198.51.100.53"},
}

func settings(kv ...string) map[string]Setting {
	m := map[string]Setting{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = Setting{Value: kv[i+1], Origin: "test"}
	}
	return m
}

func problemsOf(t *testing.T, err error) []Problem {
	t.Helper()
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("want *config.Error, got %v", err)
	}
	return ce.Problems
}

func TestInvalidValues(t *testing.T) {
	cases := []struct {
		name, variable, value, want string
	}{
		{"bool yes", "RBRN_ENTRY_ENABLED", "yes", "exactly true or false"},
		{"bool True", "RBRN_UPLINK_DNS_ENABLED", "True", "exactly true or false"},
		{"bool empty", "RBRN_UPLINK_ACCESS_ENABLED", "", "exactly true or false"},
		{"ip not ip", "RBRR_SENTRY_IP", "sentry", "IPv4 address"},
		{"ip v6", "RBRR_BOTTLE_IP", "2001:db8::3", "IPv4 address"},
		{"sentry outside", "RBRR_SENTRY_IP", "198.51.100.2", "inside RBRR_POD_SUBNET 192.0.2.0/24"},
		{"bottle network", "RBRR_BOTTLE_IP", "192.0.2.0", "network address"},
		{"bottle broadcast", "RBRR_BOTTLE_IP", "192.0.2.255", "broadcast address"},
		{"sentry .1", "RBRR_SENTRY_IP", "192.0.2.1", "host's bridge"},
		{"same ip", "RBRR_BOTTLE_IP", "192.0.2.2", "different from RBRR_SENTRY_IP"},
		{"subnet host bits", "RBRR_POD_SUBNET", "192.0.2.7/24", "network address 192.0.2.0/24"},
		{"subnet too small", "RBRR_POD_SUBNET", "192.0.2.0/30", "prefix length"},
		{"cidr host bits", "RBRN_UPLINK_ALLOWED_CIDRS", "10.0.0.1/8", "network address 10.0.0.0/8"},
		{"cidr garbage", "RBRN_UPLINK_ALLOWED_CIDRS", "203.0.113.0/24 -j ACCEPT", "IPv4 CIDR"},
		{"cidr v6", "RBRN_UPLINK_ALLOWED_CIDRS", "2001:db8::/32", "drops all IPv6"},
		{"cidr newline rule", "RBRN_UPLINK_ALLOWED_CIDRS", "203.0.113.0/24\n-A FORWARD -j ACCEPT", "IPv4 CIDR"},
		{"name check word", "RBRN_UPLINK_NAME_CHECK", "on", "expected learned, all or off"},
		{"name check all without dns", "RBRN_UPLINK_NAME_CHECK", "all", "allowlist mode"},
		{"name port word", "RBRN_UPLINK_NAME_PORTS", "443 https", "port numbers from 1 to 65535"},
		{"name port 53", "RBRN_UPLINK_NAME_PORTS", "443 53", "but 53"},
		{"name port rule", "RBRN_UPLINK_NAME_PORTS", "443,80 -j ACCEPT", "port numbers"},
		{"learn ports too many", "RBRN_UPLINK_LEARN_PORTS", "1 2 3 4 5 6 7 8", "at most 7 ports"},
		{"name ech", "RBRN_UPLINK_NAME_ECH", "yes", "expected refuse or allow"},
		{"domain underscore", "RBRN_UPLINK_ALLOWED_DOMAINS", "bad_name.test", "DNS name"},
		{"domain slash", "RBRN_UPLINK_ALLOWED_DOMAINS", "a.test/198.51.100.9", "DNS name"},
		{"domain hash", "RBRN_UPLINK_ALLOWED_DOMAINS", "a.test#1", "DNS name"},
		{"domain directive", "RBRN_UPLINK_ALLOWED_DOMAINS", "a.test\nserver=198.51.100.9", "DNS name"},
		{"rebind wildcard", "RBRN_DNS_REBIND_OK_DOMAINS", "*.a.test", "write a.test"},
		{"domain double wildcard", "RBRN_UPLINK_ALLOWED_DOMAINS", "*.*.a.test", "DNS name"},
		{"domain inner wildcard", "RBRN_UPLINK_ALLOWED_DOMAINS", "a.*.test", "DNS name"},
		{"dns match", "RBRN_DNS_MATCH", "strict", "subdomains"},
		{"domain long label", "RBRN_UPLINK_ALLOWED_DOMAINS", strings.Repeat("a", 64) + ".test", "at most 63"},
		{"domain hyphen edge", "RBRN_UPLINK_ALLOWED_DOMAINS", "-a.test", "DNS name"},
		{"domain invalid", "RBRN_UPLINK_ALLOWED_DOMAINS", "allowed.test invalid", "special-use"},
		{"domain readiness", "RBRN_UPLINK_ALLOWED_DOMAINS", "rbm-ready.invalid", "special-use"},
		{"domain test whole", "RBRN_UPLINK_ALLOWED_DOMAINS", "TEST.", "special-use"},
		{"domain wild local", "RBRN_UPLINK_ALLOWED_DOMAINS", "*.local", "special-use"},
		{"domain localhost", "RBRN_UPLINK_ALLOWED_DOMAINS", "localhost", "special-use"},
		{"domain under localhost", "RBRN_UPLINK_ALLOWED_DOMAINS", "a.localhost", "special-use"},
		{"domain arpa", "RBRN_UPLINK_ALLOWED_DOMAINS", "arpa", "special-use"},
		{"domain onion", "RBRN_UPLINK_ALLOWED_DOMAINS", "x.onion", "special-use"},
		{"rebind invalid", "RBRN_DNS_REBIND_OK_DOMAINS", "invalid", "special-use"},
		{"port zero", "RBRN_ENTRY_PORT_ENCLAVE", "0", "1 to 65535"},
		{"port big", "RBRN_ENTRY_PORT_WORKSTATION", "65536", "1 to 65535"},
		{"port word", "RBRN_ENTRY_PORT_WORKSTATION", "http", "1 to 65535"},
		{"bind address", "RBRN_ENTRY_BIND_ADDRESS", "localhost", "IPv4 address"},
		{"dns server word", "RBRR_DNS_SERVER", "resolver.test", "IPv4 address"},
		{"dns server in enclave", "RBRR_DNS_SERVER", "192.0.2.53", "outside the enclave"},
		{"dns server loopback", "RBRR_DNS_SERVER", "127.0.0.53", "unicast"},
		{"intercept", "RBRN_DNS_INTERCEPT", "drop", "redirect or reject"},
		{"uid root", "RBRR_BOTTLE_UID", "0", "never runs as root"},
		{"uid word", "RBRR_BOTTLE_UID", "nobody", "numeric user id"},
		{"moniker upper", "RBRN_MONIKER", "Bottle", "lowercase"},
		{"moniker space", "RBRN_MONIKER", "a b", "lowercase"},
		{"image option", "RBRN_BOTTLE_IMAGE", "--privileged", "image reference"},
		{"network option", "RBRR_UPLINK_NETWORK", "host --x", "network name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Resolve(base, settings("RBRN_UPLINK_ACCESS_ENABLED", "true", tc.variable, tc.value))
			ps := problemsOf(t, err)
			if len(ps) == 0 {
				t.Fatal("no problem reported")
			}
			// Lists are reported item by item: each problem names the
			// variable and the offending item of its value.
			for _, p := range ps {
				if p.Var != tc.variable || p.Value == "" && tc.value != "" || !strings.Contains(tc.value, p.Value) {
					t.Errorf("problem %q does not name %s and a part of %q", p, tc.variable, tc.value)
				}
			}
			if !strings.Contains(ps[0].Want, tc.want) {
				t.Errorf("problem %q does not say %q", ps[0], tc.want)
			}
		})
	}
}

func TestEntryPortsRequiredWhenEnabled(t *testing.T) {
	_, _, err := Resolve(base, settings("RBRN_ENTRY_ENABLED", "true"))
	ps := problemsOf(t, err)
	if len(ps) != 2 || ps[0].Var != "RBRN_ENTRY_PORT_WORKSTATION" || ps[1].Var != "RBRN_ENTRY_PORT_ENCLAVE" {
		t.Fatalf("want both entry ports reported, got %v", ps)
	}
}

// TestDNSServerUnset: with DNS on and RBRR_DNS_SERVER unset the
// configuration is valid; the sentry takes its runtime's resolver, checked
// as RBRR_DNS_SERVER would be.
func TestDNSServerUnset(t *testing.T) {
	c, _, err := Resolve(settings("RBRN_UPLINK_DNS_ENABLED", "true"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.NeedsRuntimeResolver() || c.ResolverText() != RuntimeResolverText {
		t.Fatalf("NeedsRuntimeResolver %v, ResolverText %q", c.NeedsRuntimeResolver(), c.ResolverText())
	}
	for _, bad := range []string{"10.242.0.9", "127.0.0.53", "169.254.169.254"} {
		if err := c.UseRuntimeResolver(netip.MustParseAddr(bad), "/etc/resolv.conf"); err == nil || !strings.Contains(err.Error(), "RBRR_DNS_SERVER is unset and the sentry's /etc/resolv.conf names "+bad) {
			t.Errorf("UseRuntimeResolver(%s) = %v", bad, err)
		}
	}
	if c.DNSServer.IsValid() {
		t.Fatalf("a refused resolver was kept: %v", c.DNSServer)
	}
	if err := c.UseRuntimeResolver(netip.MustParseAddr("10.20.30.1"), "/etc/resolv.conf"); err != nil {
		t.Fatal(err)
	}
	if want := "10.20.30.1 (" + RuntimeResolverText + ")"; c.ResolverText() != want || c.Policy().Upstream.String() != "10.20.30.1" {
		t.Errorf("ResolverText %q (want %q), upstream %v", c.ResolverText(), want, c.Policy().Upstream)
	}
	if env := strings.Join(c.Environ(), "\n"); !strings.Contains(env, "RBRR_DNS_SERVER=\n") {
		t.Errorf("the runtime's resolver reached Environ (a reload would not look again):\n%s", env)
	}
}

func TestResolverText(t *testing.T) {
	off, _, err := Resolve()
	if err != nil {
		t.Fatal(err)
	}
	set, _, err := Resolve(settings("RBRN_UPLINK_DNS_ENABLED", "true"), settings("RBRR_DNS_SERVER", "198.51.100.53"))
	if err != nil {
		t.Fatal(err)
	}
	if off.ResolverText() != "none (DNS is off)" || set.ResolverText() != "198.51.100.53 (RBRR_DNS_SERVER)" {
		t.Errorf("ResolverText: off %q, set %q", off.ResolverText(), set.ResolverText())
	}
}

func TestEveryProblemAtOnce(t *testing.T) {
	regime, err := LoadEnvFile("../../examples/regime.env")
	if err != nil {
		t.Fatal(err)
	}
	broken, err := LoadEnvFile("testdata/five-mistakes.env")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Resolve(regime, broken)
	ps := problemsOf(t, err)
	got := map[string]bool{}
	for _, p := range ps {
		got[p.Var] = true
	}
	for _, v := range []string{"RBRN_ENTRY_ENABLED", "RBRN_ENTRY_PORT_WORKSTATION", "RBRN_UPLINK_ALLOWED_CIDRS", "RBRN_UPLINK_ALLOWED_DOMAINS", "RBRN_DNS_INTERCEPT"} {
		if !got[v] {
			t.Errorf("no problem reported for %s", v)
		}
	}
	if len(ps) != 5 {
		t.Errorf("want 5 problems, got %d: %v", len(ps), ps)
	}
}

func TestTypoWarning(t *testing.T) {
	c, warnings, err := Resolve(base, settings("RBRN_UPLINK_ALLOWED_CIDR", "203.0.113.0/24"))
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(warnings, "\n")
	if !strings.Contains(joined, "unknown variable RBRN_UPLINK_ALLOWED_CIDR ") || !strings.Contains(joined, "did you mean RBRN_UPLINK_ALLOWED_CIDRS?") {
		t.Errorf("warnings %q do not flag the typo", warnings)
	}
	if len(c.AllowedCIDRs) != 0 {
		t.Errorf("the misspelt variable must not set CIDRs")
	}
}

func TestWarnings(t *testing.T) {
	cases := []struct {
		kv   []string
		want string
	}{
		{[]string{"RBRN_UPLINK_ACCESS_ENABLED", "true"}, "in allowlist mode the bottle can reach nothing"},
		{[]string{"RBRN_UPLINK_ACCESS_ENABLED", "true", "RBRN_UPLINK_DNS_ENABLED", "true", "RBRN_UPLINK_ALLOWED_DOMAINS", "allowed.test", "RBRN_UPLINK_LEARN_ADDRESSES", "false"}, "in allowlist mode the bottle can reach nothing"},
		{[]string{"RBRN_UPLINK_DNS_ENABLED", "true"}, "in allowlist mode every name gets NXDOMAIN"},
		{[]string{"RBRN_UPLINK_ACCESS_ENABLED", "true", "RBRN_UPLINK_ACCESS_GLOBAL", "true", "RBRN_UPLINK_ALLOWED_CIDRS", "203.0.113.0/24"}, "is not private or reserved"},
		{[]string{"RBRN_UPLINK_ACCESS_ENABLED", "true", "RBRN_UPLINK_ALLOWED_CIDRS", "192.0.0.0/16"}, "overlaps the enclave"},
		{[]string{"RBRN_UPLINK_ACCESS_ENABLED", "true", "RBRN_UPLINK_ALLOWED_CIDRS", "169.254.169.254"}, "link-local"},
		{[]string{"RBRN_UPLINK_ALLOWED_CIDRS", "203.0.113.0/24"}, "no egress at all"},
		{[]string{"RBRN_UPLINK_DNS_ENABLED", "true", "RBRN_UPLINK_ALLOWED_DOMAINS", "allowed.test com"}, "entry com allows a public suffix"},
		{[]string{"RBRN_UPLINK_DNS_ENABLED", "true", "RBRN_UPLINK_ALLOWED_DOMAINS", "co.uk"}, "entry co.uk allows a public suffix"},
		{[]string{"RBRN_UPLINK_DNS_ENABLED", "true", "RBRN_UPLINK_ALLOWED_DOMAINS", "*.github.io", "RBRN_DNS_MATCH", "exact"}, "entry *.github.io allows a public suffix"},
	}
	// Learning names open the way: no warning about an empty CIDR list.
	_, warnings, err := Resolve(base, settings("RBRN_UPLINK_ACCESS_ENABLED", "true", "RBRN_UPLINK_DNS_ENABLED", "true", "RBRN_UPLINK_ALLOWED_DOMAINS", "allowed.test"))
	if err != nil || strings.Contains(strings.Join(warnings, "\n"), "can reach nothing") {
		t.Errorf("learning with no CIDR: %v, warnings %q", err, warnings)
	}
	for _, tc := range cases {
		_, warnings, err := Resolve(base, settings(tc.kv...))
		if err != nil {
			t.Fatalf("%v: %v", tc.kv, err)
		}
		if !strings.Contains(strings.Join(warnings, "\n"), tc.want) {
			t.Errorf("%v: warnings %q lack %q", tc.kv, warnings, tc.want)
		}
	}
}

func TestPolicy(t *testing.T) {
	c, _, err := Resolve(base, settings(
		"RBRN_UPLINK_ACCESS_ENABLED", "true",
		"RBRN_UPLINK_ALLOWED_CIDRS", "203.0.113.0/24,198.51.100.80 203.0.113.0/24",
		"RBRN_UPLINK_DNS_ENABLED", "true",
		"RBRN_UPLINK_ALLOWED_DOMAINS", "Pypi.Test. allowed.test *.CDN.test",
		"RBRN_DNS_MATCH", "exact",
		"RBRN_ENTRY_ENABLED", "true",
		"RBRN_ENTRY_PORT_WORKSTATION", "8888",
		"RBRN_ENTRY_PORT_ENCLAVE", "8000",
	))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Policy()
	if p.Egress != policy.EgressAllowlist || p.DNS != policy.DNSAllowlist || p.Intercept != policy.InterceptRedirect {
		t.Errorf("modes: %v %v %v", p.Egress, p.DNS, p.Intercept)
	}
	if got := fmt.Sprint(p.AllowedCIDRs); got != "[198.51.100.80/32 203.0.113.0/24]" {
		t.Errorf("CIDRs = %s, want sorted and de-duplicated", got)
	}
	if got := fmt.Sprint(p.AllowedDomains); got != "[*.cdn.test allowed.test pypi.test]" {
		t.Errorf("domains = %s, want lowercased, without trailing dot, sorted", got)
	}
	if p.Match != policy.MatchExact || p.Resolves("www.allowed.test") || !p.Resolves("allowed.test") || !p.Resolves("a.b.cdn.test") || p.Resolves("cdn.test") {
		t.Errorf("match %q: exact entries must resolve themselves only, *.cdn.test the names under it", p.Match)
	}
	if p.Entry == nil || p.Entry.WorkstationPort != 8888 || p.Entry.EnclavePort != 8000 {
		t.Errorf("entry = %+v", p.Entry)
	}
	if !p.InterceptsDNS() {
		t.Error("redirect mode with DNS on must intercept")
	}
}

func TestDefaultsAreSafe(t *testing.T) {
	c, _, err := Resolve()
	if err != nil {
		t.Fatalf("defaults must be valid: %v", err)
	}
	p := c.Policy()
	if p.Egress != policy.EgressNone || p.DNS != policy.DNSOff || p.Entry != nil {
		t.Errorf("defaults must give a closed bottle, got %+v", p)
	}
	if c.Settings["RBRR_SENTRY_IP"].Origin != "default" {
		t.Errorf("origin of a default = %q", c.Settings["RBRR_SENTRY_IP"].Origin)
	}
}

func TestEnvironmentOverridesFiles(t *testing.T) {
	c, _, err := Load([]string{"../../examples/regime.env", "../../examples/allowlist.env"},
		[]string{"RBRN_DNS_INTERCEPT=reject", "PATH=/bin", "RBRN_MONIKER=fromenv"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Intercept != policy.InterceptReject || c.Moniker != "fromenv" {
		t.Errorf("environment did not win: %v %v", c.Intercept, c.Moniker)
	}
	if got := c.Settings["RBRN_DNS_INTERCEPT"].Origin; got != "environment" {
		t.Errorf("origin = %q", got)
	}
	if got := c.Settings["RBRN_ENTRY_PORT_ENCLAVE"].Origin; got != "../../examples/allowlist.env:8" {
		t.Errorf("origin = %q, want file:line", got)
	}
}

// FuzzNoSmuggling: whatever the input, an accepted configuration holds only
// values that cannot carry a second dnsmasq directive or iptables rule.
func FuzzNoSmuggling(f *testing.F) {
	f.Add("allowed.test", "203.0.113.0/24")
	f.Add("a.test\nserver=/x/1.2.3.4", "1.2.3.0/24 -j ACCEPT")
	f.Add("a.test#x", "10.0.0.0/8\n-A INPUT")
	f.Add("@github a.test,@nosuch", "203.0.113.0/24")
	f.Fuzz(func(t *testing.T, domains, cidrs string) {
		c, _, err := Resolve(base, settings(
			"RBRN_UPLINK_ACCESS_ENABLED", "true", "RBRN_UPLINK_ALLOWED_CIDRS", cidrs,
			"RBRN_UPLINK_DNS_ENABLED", "true", "RBRN_UPLINK_ALLOWED_DOMAINS", domains))
		if err != nil {
			return
		}
		for _, d := range c.AllowedDomains {
			if strings.Trim(d, "abcdefghijklmnopqrstuvwxyz0123456789.-") != "" {
				t.Fatalf("accepted domain %q", d)
			}
		}
		for _, p := range c.AllowedCIDRs {
			if !p.IsValid() || !p.Addr().Is4() || p.Masked() != p {
				t.Fatalf("accepted CIDR %v", p)
			}
		}
	})
}

func TestEnvironRoundTrips(t *testing.T) {
	c, _, err := Resolve(base, settings(
		"RBRN_UPLINK_ACCESS_ENABLED", "true",
		"RBRN_UPLINK_ALLOWED_CIDRS", "203.0.113.0/24,\n198.51.100.80",
		"RBRN_UPLINK_DNS_ENABLED", "true",
		"RBRN_UPLINK_ALLOWED_DOMAINS", "a.test,\tb.test"))
	if err != nil {
		t.Fatal(err)
	}
	env := c.Environ()
	var file strings.Builder
	for _, kv := range env {
		if strings.ContainsAny(kv, "\n'\"") {
			t.Errorf("%q is not a single unquoted line", kv)
		}
		file.WriteString(kv + "\n")
	}
	parsed, err := ParseEnvFile("environ", file.String())
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := Resolve(parsed)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(again.Policy()) != fmt.Sprint(c.Policy()) {
		t.Errorf("policy changed through Environ:\n%v\n%v", again.Policy(), c.Policy())
	}
}

func TestNameGateSettings(t *testing.T) {
	_, _, err := Resolve(base, settings("RBRN_UPLINK_NAME_CHECK", "learned", "RBRN_UPLINK_NAME_PORTS", ""))
	if ps := problemsOf(t, err); len(ps) != 1 || ps[0].Var != "RBRN_UPLINK_NAME_PORTS" {
		t.Fatalf("want the empty checked ports reported, got %v", ps)
	}
	c, warns, err := Resolve(base, settings("RBRN_UPLINK_NAME_CHECK", "learned", "RBRN_UPLINK_NAME_PORTS", "8443,443 443", "RBRN_UPLINK_NAME_ECH", "allow"))
	if err != nil {
		t.Fatal(err)
	}
	g := c.Policy().Gate
	if g.Check != policy.NameCheckLearned || len(g.Ports) != 2 || g.Ports[0] != 443 || g.Ports[1] != 8443 || !g.AllowECH || len(g.LearnPorts) != 3 {
		t.Errorf("gate = %+v; want learned on [443 8443], ECH allowed, the three default learn ports", g)
	}
	if !strings.Contains(strings.Join(warns, "\n"), "RBRN_UPLINK_NAME_CHECK=learned has no effect") {
		t.Errorf("no warning that the gate has nothing to check without learning: %q", warns)
	}
}

// TestNoSuffixWarning: a name under a public suffix is what an allowlist
// holds, and in exact mode a plain entry allows that one name only.
func TestNoSuffixWarning(t *testing.T) {
	for _, kv := range [][]string{
		{"RBRN_UPLINK_DNS_ENABLED", "true", "RBRN_UPLINK_ALLOWED_DOMAINS", "allowed.test *.cdn.test me.github.io"},
		{"RBRN_UPLINK_DNS_ENABLED", "true", "RBRN_UPLINK_ALLOWED_DOMAINS", "com", "RBRN_DNS_MATCH", "exact"},
	} {
		_, warnings, err := Resolve(base, settings(kv...))
		if err != nil || strings.Contains(strings.Join(warnings, "\n"), "public suffix") {
			t.Errorf("%v: %v, warnings %q", kv, err, warnings)
		}
	}
}

// TestEnclaveDefaults: left unset, the enclave is rbm start's to choose;
// a subnet alone gives its .2 and .3; explicit addresses keep their meaning.
func TestEnclaveDefaults(t *testing.T) {
	unset, _, err := Resolve(settings("RBRR_POD_SUBNET", "", "RBRR_SENTRY_IP", ""))
	if err != nil {
		t.Fatal(err)
	}
	if !unset.EnclaveUnset() || unset.Subnet.String() != "10.242.0.0/24" {
		t.Fatalf("unset: EnclaveUnset %v, subnet %v", unset.EnclaveUnset(), unset.Subnet)
	}
	unset.Bottle = Bottle{KeepAlive: true, Volumes: []Volume{{Host: "/h", Bottle: "/b"}}}
	chosen, err := unset.WithSubnet(netip.MustParsePrefix("10.242.7.0/24"), "chosen by a test")
	if err != nil {
		t.Fatal(err)
	}
	if !chosen.Bottle.KeepAlive || len(chosen.Bottle.Volumes) != 1 {
		t.Errorf("rbm run's bottle settings are lost with the chosen subnet: %+v", chosen.Bottle)
	}
	if chosen.EnclaveUnset() || chosen.SentryIP.String() != "10.242.7.2" || chosen.BottleIP.String() != "10.242.7.3" {
		t.Fatalf("chosen: unset %v, sentry %v, bottle %v", chosen.EnclaveUnset(), chosen.SentryIP, chosen.BottleIP)
	}
	if env := strings.Join(chosen.Environ(), "\n"); !strings.Contains(env, "RBRR_POD_SUBNET=10.242.7.0/24\nRBRR_SENTRY_IP=10.242.7.2\nRBRR_BOTTLE_IP=10.242.7.3\n") {
		t.Errorf("the sentry would not get the chosen enclave:\n%s", env)
	}
	own, _, err := Resolve(settings("RBRR_POD_SUBNET", "172.30.5.0/24", "RBRR_BOTTLE_IP", "172.30.5.9"))
	if err != nil {
		t.Fatal(err)
	}
	if own.EnclaveUnset() || own.SentryIP.String() != "172.30.5.2" || own.BottleIP.String() != "172.30.5.9" {
		t.Errorf("subnet given: unset %v, sentry %v, bottle %v", own.EnclaveUnset(), own.SentryIP, own.BottleIP)
	}
	if _, err := unset.WithSubnet(netip.MustParsePrefix("10.242.7.0/30"), "test"); err == nil {
		t.Error("a /30 was accepted")
	}
}
