package iptables_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// trafficIfs are the sentry's interface names in the test topology.
var trafficIfs = firewall.Interfaces{Enclave: "rbm-enc", Uplink: "rbm-up"}

// trafficPolicy is the golden egress-allowlist_dns-allowlist_entry-on_<ic>
// policy: the same addresses the topology below uses.
func trafficPolicy(ic policy.Intercept) policy.Policy {
	return policy.Policy{
		SentryIP:       netip.MustParseAddr("192.0.2.2"),
		BottleIP:       netip.MustParseAddr("192.0.2.3"),
		Subnet:         netip.MustParsePrefix("192.0.2.0/24"),
		Egress:         policy.EgressAllowlist,
		AllowedCIDRs:   []netip.Prefix{netip.MustParsePrefix("198.51.100.80/32"), netip.MustParsePrefix("203.0.113.0/24")},
		DNS:            policy.DNSAllowlist,
		AllowedDomains: []string{"example.test"},
		Upstream:       netip.MustParseAddr("198.51.100.53"),
		Intercept:      ic,
		Entry:          &policy.Entry{WorkstationPort: 8443, EnclavePort: 8000},
	}
}

// trio is bottle -- sentry -- wan, three namespaces joined by veth pairs that
// never touch the host's namespace.
type trio struct {
	bottle, sentry, wan nsRunner
}

// newTrio builds the topology: the bottle (192.0.2.3, plus a spare
// 192.0.2.50 for spoofing) routes everything via the sentry (192.0.2.2 on
// rbm-enc, 198.51.100.1 on rbm-up), which forwards to the wan; the wan holds
// every outside address the probes use.
func newTrio(t *testing.T) trio {
	t.Helper()
	tr := trio{bottle: newNetns(t), sentry: newNetns(t), wan: newNetns(t)}
	b, s, w := tr.bottle, tr.sentry, tr.wan
	steps := []struct {
		ns   nsRunner
		args []string
	}{
		{b, []string{"ip", "link", "add", "eth0", "type", "veth", "peer", "name", "rbm-enc", "netns", s.Name}},
		{s, []string{"ip", "link", "add", "rbm-up", "type", "veth", "peer", "name", "eth0", "netns", w.Name}},
		{b, []string{"ip", "addr", "add", "192.0.2.3/24", "dev", "eth0"}},
		{b, []string{"ip", "addr", "add", "192.0.2.50/24", "dev", "eth0"}},
		{b, []string{"ip", "link", "set", "eth0", "up"}},
		{b, []string{"ip", "route", "add", "default", "via", "192.0.2.2"}},
		{s, []string{"ip", "addr", "add", "192.0.2.2/24", "dev", "rbm-enc"}},
		{s, []string{"ip", "addr", "add", "198.51.100.1/24", "dev", "rbm-up"}},
		{s, []string{"ip", "link", "set", "rbm-enc", "up"}},
		{s, []string{"ip", "link", "set", "rbm-up", "up"}},
		{s, []string{"ip", "route", "add", "default", "via", "198.51.100.254"}},
		{s, []string{"sysctl", "-qw", "net.ipv4.ip_forward=1"}},
		{w, []string{"ip", "addr", "add", "198.51.100.254/24", "dev", "eth0"}},
		{w, []string{"ip", "link", "set", "eth0", "up"}},
	}
	for _, st := range steps {
		st.ns.Must(t, st.args[0], st.args[1:]...)
	}
	for _, a := range []string{"198.51.100.53/32", "198.51.100.80/32", "198.51.100.99/32", "203.0.113.10/32"} {
		w.Must(t, "ip", "addr", "add", a, "dev", "eth0")
	}
	return tr
}

// legacyRunner sends the iptables commands rbm runs to the legacy backend,
// so the same code is exercised against both.
type legacyRunner struct{ nsRunner }

var legacyNames = map[string]string{
	"iptables":          "iptables-legacy",
	"iptables-restore":  "iptables-legacy-restore",
	"iptables-save":     "iptables-legacy-save",
	"ip6tables-restore": "ip6tables-legacy-restore",
	"ip6tables-save":    "ip6tables-legacy-save",
}

// Run renames c when it is one of the iptables commands.
func (l legacyRunner) Run(ctx context.Context, c runner.Cmd) ([]byte, error) {
	if n, ok := legacyNames[c.Name]; ok {
		c.Name = n
	}
	return l.nsRunner.Run(ctx, c)
}
