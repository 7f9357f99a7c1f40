package iptables

import (
	"github.com/recipe-bottle/rbm/internal/firewall"

	"net/netip"

	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/policy/policytest"
)

// testIfs are the interface names every golden file is rendered with.
var testIfs = firewall.Interfaces{Enclave: "rbm-enc", Uplink: "rbm-up", UplinkPrefix: netip.MustParsePrefix("10.88.0.0/16")}

// renderCase is one golden policy; its name is the golden file's stem.
type renderCase struct {
	name string
	p    policy.Policy
}

// renderCases covers every combination of egress, DNS, entry and
// interception mode. CIDRs and domains are set in every case, so the golden
// files also show they are ignored where the mode does not use them.
func renderCases() []renderCase {
	var cases []renderCase
	for _, m := range policytest.Modes() {
		p := testPolicy(m.Egress, m.DNS, m.Entry, m.Intercept)
		m.Apply(&p)
		cases = append(cases, renderCase{m.Name, p})
	}
	return cases
}

// testPolicy builds a policy from documentation addresses only.
func testPolicy(eg policy.Egress, dns policy.DNS, entry bool, ic policy.Intercept) policy.Policy {
	p := policy.Policy{
		SentryIP:       netip.MustParseAddr("192.0.2.2"),
		BottleIP:       netip.MustParseAddr("192.0.2.3"),
		Subnet:         netip.MustParsePrefix("192.0.2.0/24"),
		Egress:         eg,
		AllowedCIDRs:   []netip.Prefix{netip.MustParsePrefix("198.51.100.80/32"), netip.MustParsePrefix("203.0.113.0/24")},
		DNS:            dns,
		AllowedDomains: []string{"example.test"},
		Upstream:       netip.MustParseAddr("198.51.100.53"),
		Intercept:      ic,
		HostAddrs:      []netip.Addr{netip.MustParseAddr("198.18.0.1")},
	}
	if entry {
		p.Entry = &policy.Entry{WorkstationPort: 8443, EnclavePort: 8000}
	}
	return p
}
