package iptables

import (
	"github.com/recipe-bottle/rbm/internal/golden"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// learnPolicy is an allowlist policy that learns, with a short lifetime.
func learnPolicy() policy.Policy {
	p := testPolicy(policy.EgressAllowlist, policy.DNSAllowlist, false, policy.InterceptRedirect)
	p.Learn = policy.Learn{Enabled: true, Lifetime: 600 * time.Second, Max: 1000}
	return p
}

// renderSets is the ipset document Render gives for p.
func renderSets(p policy.Policy, ifs firewall.Interfaces) string {
	return setsDoc(firewall.Build(p, ifs))
}

// shape is the learned set's create options for p.
func shape(p policy.Policy) string {
	f, _ := firewall.Build(p, learnIfs).Fill(firewall.SetLearned)
	return learnedShape(f)
}

var learnIfs = firewall.Interfaces{Enclave: "rbm-enc", Uplink: "rbm-up", UplinkPrefix: netip.MustParsePrefix("198.51.100.1/25")}

func TestLearnGolden(t *testing.T) {
	p := learnPolicy()
	golden.Check(t, "learn.ipset", renderSets(p, learnIfs))
	golden.Check(t, "learn.rules", RenderIPv4(p, learnIfs))
}

// TestLearnedOnlyAfterGuard: the learned accept comes after the CIDR accept
// and the guard, and neither exists unless the policy learns.
func TestLearnedOnlyAfterGuard(t *testing.T) {
	rules := chainRules(RenderIPv4(learnPolicy(), learnIfs), "RBM-FORWARD")
	order := []string{"fwd-dns-reject-tcp", "fwd-linklocal", "fwd-allow-cidrs", "fwd-learn-guard", "fwd-learned", "fwd-drop"}
	last := -1
	for _, id := range order {
		i := indexOfID(rules, id)
		if i <= last {
			t.Fatalf("%s at %d, want after %d in %q", id, i, last, rules)
		}
		last = i
	}
	for _, p := range []policy.Policy{
		testPolicy(policy.EgressAllowlist, policy.DNSAllowlist, false, policy.InterceptRedirect), // learning off
		func() policy.Policy { p := learnPolicy(); p.DNS = policy.DNSGlobal; return p }(),        // every name would open
	} {
		doc := RenderIPv4(p, learnIfs)
		if strings.Contains(doc, "fwd-learned") || strings.Contains(renderSets(p, learnIfs), setLearned) {
			t.Errorf("learned set used for egress %s DNS %s learn %v", p.Egress, p.DNS, p.Learn.Enabled)
		}
	}
}

func TestNeverListHasEnclaveAndUplink(t *testing.T) {
	doc := renderSets(learnPolicy(), learnIfs)
	for _, want := range []string{"add rbm-never4-new 192.0.2.0/24", "add rbm-never4-new 198.51.100.0/25", "add rbm-never4-new 169.254.0.0/16", "add rbm-never4-new 100.64.0.0/10"} {
		if !strings.Contains(doc, want+"\n") {
			t.Errorf("sets lack %q:\n%s", want, doc)
		}
	}
}

func TestParseSets(t *testing.T) {
	text := "create rbm-allow4 hash:net family inet hashsize 1024 maxelem 65536 counters\n" +
		"add rbm-allow4 203.0.113.0/24 packets 3 bytes 180\n" +
		"add rbm-allow4 198.51.100.80 packets 0 bytes 0\n" +
		"create rbm-learn4 hash:ip family inet hashsize 1024 maxelem 1000 timeout 600 counters\n" +
		"add rbm-learn4 203.0.113.7 timeout 590 packets 2 bytes 120\n" +
		"add other 10.0.0.1\n"
	st, err := parseSets(text)
	if err != nil {
		t.Fatal(err)
	}
	if c := st.allowed[netip.MustParsePrefix("203.0.113.0/24")]; c.Packets != 3 || c.Bytes != 180 {
		t.Errorf("203.0.113.0/24 = %+v", c)
	}
	if _, ok := st.allowed[netip.MustParsePrefix("198.51.100.80/32")]; !ok || len(st.allowed) != 2 {
		t.Errorf("allowed = %v", st.allowed)
	}
	want := firewall.Learned{Addr: netip.MustParseAddr("203.0.113.7"), Expires: 590 * time.Second, Counter: firewall.Counter{Packets: 2, Bytes: 120}}
	if len(st.learned) != 1 || st.learned[0] != want {
		t.Errorf("learned = %+v, want %+v", st.learned, want)
	}
	if _, err := parseSets("add rbm-learn4 203.0.113.7 timeout x\n"); err == nil {
		t.Error("bad timeout accepted")
	}
}

func TestSameShape(t *testing.T) {
	list := "Name: rbm-learn4\nType: hash:ip\nRevision: 5\nHeader: family inet hashsize 1024 maxelem 1000 timeout 600 counters bucketsize 12 initval 0x1\n"
	if !sameShape(list, shape(learnPolicy())) {
		t.Error("same shape not recognised")
	}
	p := learnPolicy()
	p.Learn.Lifetime = 60 * time.Second
	if sameShape(list, shape(p)) {
		t.Error("a new lifetime went unnoticed")
	}
	p = learnPolicy()
	p.Learn.Max = 10
	if sameShape(list, shape(p)) {
		t.Error("a new size went unnoticed")
	}
}

// indexOfID is the position of the rule with id in rules, or -1.
func indexOfID(rules []string, id string) int {
	for i, r := range rules {
		if strings.Contains(r, `"rbm:`+id+`"`) {
			return i
		}
	}
	return -1
}
