package nftables

import (
	"slices"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// TestForwardOrder: rbm-forward checks, in order, everything that no mode
// opens, then explicit CIDRs, then the guard, then learned addresses.
func TestForwardOrder(t *testing.T) {
	p := testPolicy(policy.EgressAllowlist, policy.DNSAllowlist, false, policy.InterceptRedirect)
	// Each denial is preceded by its log twin.
	want := []string{"log:fwd-spoof", "fwd-spoof", "fwd-invalid", "log:fwd-hairpin", "fwd-hairpin",
		"log:fwd-dns-reject-udp", "fwd-dns-reject-udp", "log:fwd-dns-reject-tcp", "fwd-dns-reject-tcp",
		"log:fwd-linklocal", "fwd-linklocal", "fwd-allow-cidrs", "log:fwd-host", "fwd-host", "log:fwd-learn-guard", "fwd-learn-guard", "fwd-learned", "log:fwd-drop", "fwd-drop"}
	doc := RenderDoc(p, testIfs)
	if got := chainIDs(doc, chainForward); !slices.Equal(got, want) {
		t.Errorf("rbm-forward = %q, want %q", got, want)
	}
	p.Learn.Enabled = false
	if got := chainIDs(RenderDoc(p, testIfs), chainForward); slices.Contains(got, "fwd-learned") || slices.Contains(got, "fwd-learn-guard") || slices.Contains(got, "fwd-host") {
		t.Errorf("learning disabled but rbm-forward = %q", got)
	}
	// Global: the listed CIDRs, then each guard, then the internet.
	global := testPolicy(policy.EgressGlobal, policy.DNSAllowlist, false, policy.InterceptRedirect)
	want = append(slices.Clone(want[:11]), "fwd-allow-cidrs", "log:fwd-host", "fwd-host", "log:fwd-global-uplink", "fwd-global-uplink", "log:fwd-global-private", "fwd-global-private",
		"log:fwd-global-reserved", "fwd-global-reserved", "fwd-allow-global", "log:fwd-drop", "fwd-drop")
	if got := chainIDs(RenderDoc(global, testIfs), chainForward); !slices.Equal(got, want) {
		t.Errorf("global egress: rbm-forward = %q, want %q", got, want)
	}
}

// TestSets: allow4 holds the CIDRs (in global mode the guards' exceptions), never4 the fixed
// ranges plus the enclave and uplink, learn4 exists only when learning,
// with the policy's lifetime and size.
func TestSets(t *testing.T) {
	p := testPolicy(policy.EgressAllowlist, policy.DNSAllowlist, false, policy.InterceptRedirect)
	doc := RenderDoc(p, testIfs)
	for _, want := range []string{
		"add element inet rbm allow4 { 198.51.100.80/32, 203.0.113.0/24 }\n",
		"add element inet rbm never4 { 0.0.0.0/8, 10.88.0.0/16, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 192.0.2.0/24, 198.18.0.1/32, 224.0.0.0/4, 240.0.0.0/4 }\n",
		"add element inet rbm host4 { 198.18.0.1/32 }\n",
		"add set inet rbm learn4 { type ipv4_addr; flags timeout; timeout 600s; size 65536; counter; }\n",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("document lacks %q", want)
		}
	}
	if strings.Contains(doc, "flush set inet rbm learn4") || strings.Contains(doc, "element inet rbm learn4") {
		t.Error("document touches learn4's elements")
	}
	if l, s, ok := learnedWanted(doc); !ok || l != 600 || s != 65536 {
		t.Errorf("learnedWanted = %d, %d, %v", l, s, ok)
	}
	global := RenderDoc(testPolicy(policy.EgressGlobal, policy.DNSGlobal, false, policy.InterceptRedirect), testIfs)
	if !strings.Contains(global, "add element inet rbm allow4 { 198.51.100.80/32, 203.0.113.0/24 }\n") || strings.Contains(global, "set inet rbm learn4") {
		t.Error("global egress leaves allow4 empty or declares learn4")
	}
}
