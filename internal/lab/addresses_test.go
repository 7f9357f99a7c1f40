package lab

import (
	"net/netip"
	"testing"

	"github.com/recipe-bottle/rbm/internal/policy"
)

func TestPlanAddressesKeepsSidesApart(t *testing.T) {
	base := policy.Policy{
		SentryIP: netip.MustParseAddr("10.242.0.2"), BottleIP: netip.MustParseAddr("10.242.0.3"),
		Subnet: netip.MustParsePrefix("10.242.0.0/24"), Upstream: netip.MustParseAddr("198.51.100.53"),
	}
	allow := base
	allow.Egress = policy.EgressAllowlist
	allow.AllowedCIDRs = []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}
	enclaveDoc := allow
	enclaveDoc.Subnet = netip.MustParsePrefix("198.51.100.0/24")
	enclaveDoc.Upstream = netip.MustParseAddr("192.0.2.53")
	global := base
	global.Egress = policy.EgressGlobal

	for name, p := range map[string]policy.Policy{"allowlist": allow, "enclave-in-doc-range": enclaveDoc, "global": global, "none": base} {
		a, err := PlanAddresses(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		all := []netip.Addr{a.SentryUplink, a.WanGateway, a.Upstream, a.Forbidden, a.Foreign}
		seen := map[netip.Addr]bool{}
		for _, x := range all {
			if seen[x] || p.Subnet.Contains(x) {
				t.Errorf("%s: %v collides (%+v)", name, x, a)
			}
			seen[x] = true
			if !inDocRange(x) {
				t.Errorf("%s: %v is not a documentation address", name, x)
			}
		}
		if p.Egress == policy.EgressAllowlist && (allowed(p, a.Forbidden) || allowed(p, a.Foreign) || !allowed(p, a.Allowed)) {
			t.Errorf("%s: forbidden/foreign must be outside and allowed inside the CIDRs: %+v", name, a)
		}
		if p.Egress == policy.EgressNone && a.Allowed.IsValid() {
			t.Errorf("%s: no allowed server without egress", name)
		}
		if !a.LinkNet.Contains(a.SentryUplink) || !a.LinkNet.Contains(a.WanGateway) {
			t.Errorf("%s: link %v does not hold both ends", name, a.LinkNet)
		}
	}
}

func inDocRange(x netip.Addr) bool {
	for _, n := range docNets {
		if n.Contains(x) {
			return true
		}
	}
	return false
}
