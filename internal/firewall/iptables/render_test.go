package iptables

import (
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/golden"

	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/policy"
)

func TestRenderIPv4Golden(t *testing.T) {
	for _, c := range renderCases() {
		t.Run(c.name, func(t *testing.T) {
			got := RenderIPv4(c.p, testIfs)
			golden.Check(t, c.name+".rules", got)
			checkInvariants(t, got)
			checkIDs(t, got, RuleIDs(c.p))
		})
	}
}

func TestRenderIPv6Golden(t *testing.T) {
	got := RenderIPv6()
	golden.Check(t, "ipv6.rules", got)
	checkInvariants(t, got)
	for _, id := range []string{"rbm:v6-in-drop", "rbm:v6-fwd-drop", "rbm:v6-out-drop"} {
		if !strings.Contains(got, `"`+id+`"`) {
			t.Errorf("ipv6 ruleset lacks %s", id)
		}
	}
}

func TestLockdownGolden(t *testing.T) {
	got := Lockdown()
	golden.Check(t, "lockdown.rules", got)
	checkInvariants(t, got)
	if rules := chainRules(got, "PREROUTING", "POSTROUTING"); len(rules) != 0 {
		t.Errorf("lockdown nat table is not empty: %q", rules)
	}
}

// checkInvariants holds for every document: no owner matching (the bottle is
// filtered by address, in FORWARD), every rule has an id, every policy DROP.
func checkInvariants(t *testing.T, doc string) {
	t.Helper()
	if strings.Contains(doc, "uid-owner") {
		t.Error("ruleset matches on uid-owner")
	}
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "-A ") && !strings.Contains(line, `-m comment --comment "rbm:`) {
			t.Errorf("rule without rbm: id: %s", line)
		}
	}
	for _, c := range []string{"INPUT", "FORWARD", "OUTPUT"} {
		if !strings.Contains(doc, ":"+c+" DROP [0:0]\n") {
			t.Errorf("filter %s policy is not DROP", c)
		}
	}
}

var idInDoc = regexp.MustCompile(`--comment "(rbm:[^"]+)"`)

// checkIDs proves RuleIDs lists exactly the ids in the text, each once.
func checkIDs(t *testing.T, doc string, ids []string) {
	t.Helper()
	var inDoc []string
	for _, m := range idInDoc.FindAllStringSubmatch(doc, -1) {
		inDoc = append(inDoc, m[1])
	}
	if !slices.Equal(inDoc, ids) {
		t.Errorf("RuleIDs = %q, document has %q", ids, inDoc)
	}
	sorted := slices.Sorted(slices.Values(ids))
	if len(slices.Compact(sorted)) != len(ids) {
		t.Errorf("duplicate ids in %q", ids)
	}
}

// chainRules returns the -A lines of the given chains, in order.
func chainRules(doc string, chains ...string) []string {
	var out []string
	for _, line := range strings.Split(doc, "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && f[0] == "-A" && slices.Contains(chains, f[1]) {
			out = append(out, line)
		}
	}
	return out
}

func TestForwardMatchesBottleOnEnclave(t *testing.T) {
	doc := RenderIPv4(testPolicy(policy.EgressGlobal, policy.DNSGlobal, false, policy.InterceptRedirect), testIfs)
	fwd := chainRules(doc, "FORWARD")
	if !slices.ContainsFunc(fwd, func(l string) bool {
		return strings.Contains(l, "-i rbm-enc -m comment") && strings.HasSuffix(l, "-j RBM-FORWARD")
	}) {
		t.Errorf("FORWARD does not send -i rbm-enc to RBM-FORWARD: %q", fwd)
	}
	first := chainRules(doc, "RBM-FORWARD")[1] // [0] is its log twin
	if !strings.Contains(first, "! -s 192.0.2.3 ") || !strings.HasSuffix(first, "-j DROP") {
		t.Errorf("RBM-FORWARD does not start by dropping sources other than 192.0.2.3: %s", first)
	}
}

// TestNoAcceptBeforeGuards: in every mode the spoofing, DNS and link-local
// rules come before the first ACCEPT of RBM-FORWARD, so no egress mode can
// open them.
func TestNoAcceptBeforeGuards(t *testing.T) {
	guards := []string{"rbm:fwd-spoof", "rbm:fwd-dns-reject-udp", "rbm:fwd-dns-reject-tcp", "rbm:fwd-linklocal"}
	for _, c := range renderCases() {
		rules := chainRules(RenderIPv4(c.p, testIfs), "RBM-FORWARD")
		firstAccept := slices.IndexFunc(rules, func(l string) bool { return strings.HasSuffix(l, "-j ACCEPT") })
		if firstAccept < 0 {
			firstAccept = len(rules)
		}
		for _, g := range guards {
			i := slices.IndexFunc(rules, func(l string) bool { return strings.Contains(l, `"`+g+`"`) })
			if i < 0 || i > firstAccept {
				t.Errorf("%s: %s missing or after the first ACCEPT", c.name, g)
			}
		}
		if last := rules[len(rules)-1]; !strings.Contains(last, `"rbm:fwd-drop" -j DROP`) && !strings.Contains(last, `"rbm:fwd-drop" -j RBM-REJECT`) {
			t.Errorf("%s: RBM-FORWARD does not end with the counted drop: %s", c.name, last)
		}
	}
}

// TestModeSelectsRules checks, for every case, the rules each setting adds.
func TestModeSelectsRules(t *testing.T) {
	for _, c := range renderCases() {
		ids := CounterIDs(c.p)
		has := func(id string) bool { return slices.Contains(ids, "rbm:"+id) }
		want := map[string]bool{
			"fwd-allow-global":           c.p.Egress == policy.EgressGlobal,
			"fwd-allow-203.0.113.0/24":   c.p.Egress != policy.EgressNone,
			"fwd-allow-198.51.100.80/32": c.p.Egress != policy.EgressNone,
			"fwd-global-uplink":          c.p.Egress == policy.EgressGlobal,
			"fwd-global-private":         c.p.Egress == policy.EgressGlobal,
			"fwd-global-reserved":        c.p.Egress == policy.EgressGlobal,
			"nat-masq":                   c.p.Egress != policy.EgressNone,
			"in-dns-udp":                 c.p.DNS != policy.DNSOff,
			"out-dns-tcp":                c.p.DNS != policy.DNSOff,
			"nat-dns-udp":                c.p.DNS != policy.DNSOff && c.p.Intercept == policy.InterceptRedirect,
			"nat-dns-tcp":                c.p.DNS != policy.DNSOff && c.p.Intercept == policy.InterceptRedirect,
			"nat-entry":                  c.p.Entry != nil,
			"nat-entry-masq":             c.p.Entry != nil,
			"fwd-entry":                  c.p.Entry != nil,
			"fwd-dns-reject-tcp":         true,
			"fwd-linklocal":              true,
		}
		for id, w := range want {
			if has(id) != w {
				t.Errorf("%s: has rbm:%s = %v, want %v", c.name, id, has(id), w)
			}
		}
	}
}

func TestRenderUsesInterfaceNames(t *testing.T) {
	p := testPolicy(policy.EgressAllowlist, policy.DNSAllowlist, true, policy.InterceptRedirect)
	doc := RenderIPv4(p, firewall.Interfaces{Enclave: "encX", Uplink: "upY"})
	if strings.Contains(doc, "rbm-enc") || strings.Contains(doc, "rbm-up") {
		t.Error("render ignores the given interface names")
	}
	for _, want := range []string{"-o upY -m set --match-set rbm-allow4 dst", "-i encX -s 192.0.2.3 -p tcp", "-i upY -p tcp -m tcp --dport 8443 -m comment --comment \"rbm:nat-entry\" -j DNAT --to-destination 192.0.2.3:8000"} {
		if !strings.Contains(doc, want) {
			t.Errorf("render lacks %q", want)
		}
	}
}

func BenchmarkRenderIPv4(b *testing.B) {
	p := testPolicy(policy.EgressAllowlist, policy.DNSAllowlist, true, policy.InterceptRedirect)
	p.AllowedCIDRs = nil
	for i := range 1000 {
		p.AllowedCIDRs = append(p.AllowedCIDRs, netip.MustParsePrefix(fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)))
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = RenderIPv4(p, testIfs)
	}
}

// TestEntryLimitedToGatewayWhenHostOnly: an entry port published on
// loopback is only DNATed for traffic from the uplink's gateway (the host's
// port forward); otherwise, or without a known gateway, from anywhere on
// the uplink.
func TestEntryLimitedToGatewayWhenHostOnly(t *testing.T) {
	gw := netip.MustParseAddr("10.88.0.1")
	for _, tc := range []struct {
		hostOnly bool
		gateway  netip.Addr
		want     bool
	}{{true, gw, true}, {true, netip.Addr{}, false}, {false, gw, false}} {
		p := policy.Policy{
			SentryIP: netip.MustParseAddr("192.0.2.2"), BottleIP: netip.MustParseAddr("192.0.2.3"),
			Subnet: netip.MustParsePrefix("192.0.2.0/24"), Egress: policy.EgressNone, DNS: policy.DNSOff,
			Intercept: policy.InterceptRedirect, Entry: &policy.Entry{WorkstationPort: 8888, EnclavePort: 8000, HostOnly: tc.hostOnly},
		}
		doc := RenderIPv4(p, firewall.Interfaces{Enclave: "rbm-enc", Uplink: "rbm-up", UplinkGateway: tc.gateway})
		got := strings.Contains(doc, "-A PREROUTING -i rbm-up -s 10.88.0.1 -p tcp -m tcp --dport 8888")
		if got != tc.want {
			t.Errorf("hostOnly=%v gateway=%v: source limit %v, want %v\n%s", tc.hostOnly, tc.gateway, got, tc.want, doc)
		}
	}
}

// TestDenialsAreLogged: every denial rule has its log twin just before it,
// with the same match, a kernel rate limit and the denial's id as prefix;
// nothing else is logged.
func TestDenialsAreLogged(t *testing.T) {
	for _, c := range renderCases() {
		doc := RenderIPv4(c.p, testIfs)
		lines := strings.Split(doc, "\n")
		for i, l := range lines {
			id, ok := commentID(l)
			if !ok {
				continue
			}
			if firewall.IsLogID(id) {
				denial := strings.TrimPrefix(id, idPrefix+"log:")
				next := lines[i+1]
				want := strings.SplitN(l, " -m limit ", 2)[0] + " -m comment --comment \"" + idPrefix + denial + "\""
				if !firewall.IsDenial(denial) || !strings.HasPrefix(next, want) {
					t.Errorf("%s: log twin %q is not followed by its denial with the same match: %q", c.name, l, next)
				}
				if !strings.Contains(l, "-m limit --limit 50/sec --limit-burst 100") || !strings.Contains(l, "--nflog-prefix "+idPrefix+denial+" --nflog-group 7353") {
					t.Errorf("%s: log twin not rate-limited or mis-prefixed: %s", c.name, l)
				}
				continue
			}
			bare := strings.TrimPrefix(id, idPrefix)
			if firewall.IsDenial(bare) && (i == 0 || !strings.Contains(lines[i-1], `"`+idPrefix+"log:"+bare+`"`)) {
				t.Errorf("%s: denial %s has no log twin before it", c.name, l)
			}
		}
	}
}

// commentID returns the rule id in an -A line's comment.
func commentID(line string) (string, bool) {
	_, rest, ok := strings.Cut(line, `--comment "`)
	if !ok || !strings.HasPrefix(line, "-A ") {
		return "", false
	}
	id, _, _ := strings.Cut(rest, `"`)
	return id, true
}
