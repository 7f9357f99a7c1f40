package verify

import (
	"flag"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall/iptables"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/standin"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// The test world: a 10.x enclave and documentation addresses only.
var (
	tSubnet    = netip.MustParsePrefix("10.242.0.0/24")
	tBridge    = netip.MustParseAddr("10.242.0.1")
	tSentry    = netip.MustParseAddr("10.242.0.2")
	tBottle    = netip.MustParseAddr("10.242.0.3")
	tUpstream  = netip.MustParseAddr("198.51.100.53")
	tForeign   = netip.MustParseAddr("198.51.100.153")
	tForbidden = netip.MustParseAddr("198.51.100.99")
	tUplink    = netip.MustParseAddr("198.51.100.254")
	tCIDRLow   = netip.MustParsePrefix("192.0.2.128/25")
	tCIDRHigh  = netip.MustParsePrefix("203.0.113.0/24")
	tAllowed   = netip.MustParseAddr("203.0.113.1") // in tCIDRHigh
	tAllowed2  = netip.MustParseAddr("192.0.2.130") // in tCIDRLow
	tMetadata  = netip.MustParseAddr("169.254.169.254")
	tLearned   = netip.MustParseAddr("198.51.100.77") // in no allowed CIDR
	tBelow     = netip.MustParseAddr("10.241.255.1")  // neighbour subnet below the enclave
	tAbove     = netip.MustParseAddr("10.242.1.1")    // neighbour subnet above
	tHost      = netip.MustParseAddr("198.51.100.20") // one of the host's own addresses
)

var (
	egressModes    = []policy.Egress{policy.EgressNone, policy.EgressAllowlist, policy.EgressGlobal}
	dnsModes       = []policy.DNS{policy.DNSOff, policy.DNSAllowlist, policy.DNSGlobal}
	interceptModes = []policy.Intercept{policy.InterceptRedirect, policy.InterceptReject}
)

// testPolicy is shaped the way config.Policy builds it: CIDRs only in
// allowlist egress, domains only in allowlist DNS.
func testPolicy(eg policy.Egress, dns policy.DNS, ic policy.Intercept, entry bool) policy.Policy {
	p := policy.Policy{
		SentryIP: tSentry, BottleIP: tBottle, Subnet: tSubnet,
		Egress: eg, DNS: dns, Upstream: tUpstream, Intercept: ic,
		HostAddrs: []netip.Addr{tHost},
	}
	if eg == policy.EgressAllowlist {
		p.AllowedCIDRs = []netip.Prefix{tCIDRLow, tCIDRHigh}
	}
	if dns != policy.DNSOff {
		p.RebindOK = []string{"allowed.test"}
		if dns == policy.DNSAllowlist {
			p.AllowedDomains = []string{"allowed.test", "bait.test"}
		}
	}
	if entry {
		p.Entry = &policy.Entry{WorkstationPort: 8888, EnclavePort: 8000}
	}
	p.Learn = policy.Learn{Enabled: true, Lifetime: 600 * time.Second, Max: 65536}
	return p
}

// fullTarget names every optional stand-in, so every conditional case appears.
func fullTarget(p policy.Policy, hostile bool) Target {
	return Target{
		Policy: p, Foreign: tForeign, Allowed: tAllowed, Forbidden: tForbidden, EchoPort: 22,
		AllowedName: "allowed.test", ForbiddenName: "forbidden.test", BaitDomain: "bait.test",
		CAFile: "/ca.pem", BridgeIP: tBridge, SentryUplink: tUplink, Hostile: hostile,
		Learned: tLearned, LearnName: "learn.allowed.test", HostAddr: tHost, HostName: "host.allowed.test",
	}
}

// bareTarget names only what every deployment has.
func bareTarget(p policy.Policy, hostile bool) Target {
	return Target{
		Policy: p, Foreign: tForeign, Forbidden: tForbidden,
		AllowedName: "allowed.test", ForbiddenName: "forbidden.test", Hostile: hostile,
	}
}

type mode struct {
	name    string
	target  Target
	variant string
}

// allModes is every egress x DNS x intercept x entry x hostile combination,
// each with a full target, a bare one and one whose allowed host is in the
// second CIDR.
func allModes() []mode {
	var ms []mode
	for _, eg := range egressModes {
		for _, dns := range dnsModes {
			for _, ic := range interceptModes {
				for _, entry := range []bool{true, false} {
					for _, hostile := range []bool{false, true} {
						p := testPolicy(eg, dns, ic, entry)
						name := fmt.Sprintf("egress=%s/dns=%s/intercept=%s/entry=%t/hostile=%t", eg, dns, ic, entry, hostile)
						second := fullTarget(p, hostile)
						second.Allowed = tAllowed2
						unlearning := fullTarget(p, hostile)
						unlearning.Policy.Learn.Enabled = false
						ms = append(ms,
							mode{name + "/full", fullTarget(p, hostile), "full"},
							mode{name + "/bare", bareTarget(p, hostile), "bare"},
							mode{name + "/second-cidr", second, "second"},
							mode{name + "/no-learning", unlearning, "full"},
						)
					}
				}
			}
		}
	}
	return ms
}

var nameRE = regexp.MustCompile(`^(request|dns|egress|learn|sentry|escape)/[a-z0-9][a-z0-9.-]*$`)

func TestCasesEveryModeIsComplete(t *testing.T) {
	for _, m := range allModes() {
		cs := Cases(m.target)
		if len(cs) < 30 {
			t.Errorf("%s: %d cases, want at least 30", m.name, len(cs))
		}
		ids := iptables.CounterIDs(m.target.Policy)
		seen := map[string]bool{}
		for _, c := range cs {
			if !nameRE.MatchString(c.Name) {
				t.Errorf("%s: case name %q is not group/name", m.name, c.Name)
			}
			if seen[c.Name] {
				t.Errorf("%s: case name %q twice", m.name, c.Name)
			}
			seen[c.Name] = true
			if c.Tried == "" || c.Expect.Text == "" || c.Spec.Kind == "" {
				t.Errorf("%s: %s: Tried %q, Expect.Text %q, Spec.Kind %q: none may be empty", m.name, c.Name, c.Tried, c.Expect.Text, c.Spec.Kind)
			}
			if c.Spec.Timeout <= 0 {
				t.Errorf("%s: %s: no probe timeout", m.name, c.Name)
			}
			if !c.Expect.Report && len(c.Expect.Outcomes) == 0 && c.Expect.Answers == (answers{}) {
				t.Errorf("%s: %s: neither an expected outcome nor an answer constraint", m.name, c.Name)
			}
			// An expectation naming a rule the sentry does not render for
			// this policy can never hold: expectation and ruleset disagree.
			// A learned address's element exists once learned, under the
			// learned rule.
			for _, id := range append(slices.Clone(c.Expect.Moved), c.Expect.AnyMoved...) {
				if strings.HasPrefix(id, "rbm:fwd-learned-") && slices.Contains(ids, "rbm:fwd-learned") {
					continue
				}
				if !slices.Contains(ids, id) {
					t.Errorf("%s: %s: expects %s to move, but the ruleset for this policy has no such rule", m.name, c.Name, id)
				}
			}
		}
	}
}

func TestCasesArePureAndStable(t *testing.T) {
	for _, m := range allModes() {
		p := m.target.Policy
		cidrs := slices.Clone(p.AllowedCIDRs)
		a, b := Cases(m.target), Cases(m.target)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: two calls gave different cases", m.name)
		}
		if !slices.Equal(p.AllowedCIDRs, cidrs) {
			t.Errorf("%s: Cases changed the policy's CIDRs", m.name)
		}
	}
}

// TestCaseNamesGolden pins the names (reports and dashboards key on them):
// the richest target gives every name there is, in order; every other mode
// gives an ordered subset, whose conditional members appear exactly when
// their condition holds.
func TestCaseNamesGolden(t *testing.T) {
	p := testPolicy(policy.EgressAllowlist, policy.DNSAllowlist, policy.InterceptRedirect, true)
	p.Gate = policy.Gate{Check: policy.NameCheckLearned, Ports: []uint16{80, 443}, LearnPorts: []uint16{22, 80, 443}} // the gate's cases too
	rich := fullTarget(p, false)
	var names []string
	for _, c := range Cases(rich) {
		names = append(names, c.Name)
	}
	got := strings.Join(names, "\n") + "\n"
	path := filepath.Join("testdata", "case-names.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestCaseNamesGolden -update)", err)
	}
	if got != string(want) {
		t.Errorf("case names changed; if intended, run with -update.\ngot:\n%s\nwant:\n%s", got, want)
	}
	all := strings.Fields(string(want))
	for _, m := range allModes() {
		t.Run(m.name, func(t *testing.T) {
			tg := m.target
			var got []string
			for _, c := range Cases(tg) {
				got = append(got, c.Name)
			}
			if !isSubsequence(got, all) {
				t.Fatalf("names are not an ordered subset of the golden list: %v", got)
			}
			dnsOn := tg.Policy.DNS != policy.DNSOff
			conditional := map[string]bool{
				"dns/rebind-private":                        dnsOn && tg.BaitDomain != "",
				"dns/rebind-metadata":                       dnsOn && tg.BaitDomain != "",
				"dns/cname-to-private":                      dnsOn && tg.BaitDomain != "",
				"dns/cname-to-metadata":                     dnsOn && tg.BaitDomain != "",
				"dns/forged-answers":                        dnsOn,
				"sentry/upstream-resolver":                  dnsOn,
				"sentry/own-egress-upstream":                dnsOn && tg.Policy.Upstream.IsValid(),
				"sentry/reverse-lookup-uplink":              tg.SentryUplink.IsValid(),
				"egress/allowed-tcp-443":                    tg.Allowed.IsValid(),
				"egress/allowed-icmp":                       tg.Allowed.IsValid(),
				"egress/allowed-quic-udp-443":               tg.Allowed.IsValid(),
				"egress/allowed-tcp-22":                     tg.Allowed.IsValid() && tg.EchoPort == 22,
				"egress/host-bridge-address":                tg.BridgeIP.IsValid(),
				"egress/host-address":                       tg.HostAddr.IsValid(),
				"learn/host-address-answer":                 tg.HostAddr.IsValid() && tg.HostName != "",
				"sentry/entry-port-via-enclave":             tg.Policy.Entry != nil,
				"sentry/entry-port-via-uplink":              tg.Policy.Entry != nil && tg.SentryUplink.IsValid(),
				"learn/before-resolving":                    tg.Learned.IsValid(),
				"learn/after-resolving":                     tg.Learned.IsValid(),
				"learn/forbidden-name-via-foreign-resolver": tg.Learned.IsValid(),
			}
			for _, n := range all {
				want, isCond := conditional[n]
				if !isCond {
					want = true
				}
				if strings.HasPrefix(n, "gate/") {
					// Only while the gate checks (the rich target's set is
					// the golden list itself).
					want = tg.gateChecks(443)
				}
				if slices.Contains(got, n) != want {
					t.Errorf("%s present: %t, want %t", n, !want, want)
				}
			}
		})
	}
}

func isSubsequence(sub, of []string) bool {
	i := 0
	for _, s := range of {
		if i < len(sub) && sub[i] == s {
			i++
		}
	}
	return i == len(sub)
}

// TestCasesFollowPolicy judges every case of every mode against an
// independent reading of the policy: where the probe goes, and what the
// sentry's rules must do with it.
func TestCasesFollowPolicy(t *testing.T) {
	for _, m := range allModes() {
		for _, c := range Cases(m.target) {
			for _, problem := range oracle(m.target, c) {
				t.Errorf("%s: %s: %s (expect %+v)", m.name, c.Name, problem, c.Expect)
			}
		}
	}
}

// oracle returns what is wrong with c for t, written from the policy's
// meaning rather than from the code under test.
func oracle(t Target, c Case) []string {
	var bad []string
	fail := func(f string, a ...any) { bad = append(bad, fmt.Sprintf(f, a...)) }
	p, e, s := t.Policy, c.Expect, c.Spec
	global := p.Egress == policy.EgressGlobal

	wantReport := false
	switch c.Name {
	case "dns/exfiltration-shaped-subdomain", "dns/tunnel-txt", "dns/tunnel-null", "dns/tunnel-long-labels":
		// forwarded upstream: every name in global DNS, a subdomain of an
		// allowed domain unless names are matched exactly
		wantReport = p.DNS == policy.DNSGlobal || p.DNS == policy.DNSAllowlist && p.Match != policy.MatchExact && coveredBy(s.Name, p.AllowedDomains)
	case "sentry/upstream-resolver":
		wantReport = true
	case "escape/ipip", "escape/forged-rst", "escape/lone-ack":
		wantReport = t.Hostile && global
	case "escape/ttl-2":
		wantReport = global
	case "escape/gre", "escape/sctp", "escape/fragmented-syn":
		wantReport = t.Hostile && global
	case "escape/route-change", "escape/sysctl-write":
		wantReport = t.Hostile
	}
	if e.Report != wantReport {
		fail("Report %t, want %t", e.Report, wantReport)
	}
	if e.Report {
		return bad
	}
	if problems, ok := newCaseOracle(t, c); ok {
		return append(bad, problems...)
	}
	if strings.HasPrefix(c.Name, "learn/") {
		// a resolve-then-connect may be answered (without an address) yet
		// connect nowhere: judged by its own oracle
		return append(bad, learnOracle(t, c)...)
	}
	if hasAny(e.Outcomes, probe.Connected, probe.Answered) && hasAny(e.Outcomes, probe.Timeout) {
		fail("outcomes %v mix getting through and being dropped", e.Outcomes)
	}

	dst, port := destination(s)
	switch {
	case s.Kind == probe.KindDNS && dst == p.SentryIP && port == 53:
		bad = append(bad, sentryDNSOracle(t, c)...)
	case dst == t.Foreign && port == 53:
		bad = append(bad, interceptOracle(t, c)...)
	case s.Kind == probe.KindHTTPS:
		// by name: works only when DNS answers it and egress reaches it
		works := p.DNS != policy.DNSOff && egressAllows(p, t.Allowed)
		if works {
			wantThrough(&bad, e, []string{allowID(p, t.Allowed)})
		} else if hasAny(e.Outcomes, probe.Connected, probe.Answered) || len(e.Outcomes) == 0 {
			fail("must fail (dns %s, egress %s), outcomes %v", p.DNS, p.Egress, e.Outcomes)
		}
	case dst == tMetadata:
		wantDrop(&bad, e, "rbm:fwd-linklocal")
	case s.Kind == probe.KindRawSpoof:
		if t.Hostile {
			if !slices.Equal(e.Outcomes, []probe.Outcome{probe.Sent}) || !slices.Equal(e.Moved, []string{"rbm:fwd-spoof"}) {
				fail("hostile spoof: want sent with rbm:fwd-spoof moving")
			}
		} else {
			wantDenied(&bad, e)
		}
	case s.Kind == probe.KindRawProto || s.Kind == probe.KindRawFrag:
		if !t.Hostile {
			wantDenied(&bad, e)
			break
		}
		if !sameSet(e.Outcomes, dropped) || !slices.Contains(e.AnyMoved, "rbm:fwd-drop") {
			fail("hostile raw packet: want dropped with rbm:fwd-drop (or invalid) moving")
		}
	case s.Kind == probe.KindRoute || s.Kind == probe.KindSysctl:
		wantDenied(&bad, e)
	case s.Kind == probe.KindTCP6:
		if hasAny(e.Outcomes, probe.Connected, probe.Answered) {
			fail("IPv6 must not get through")
		}
	case dst == p.SentryIP || dst == t.SentryUplink:
		wantDrop(&bad, e, "rbm:in-enclave-drop")
	case dst == t.BridgeIP:
		if hasAny(e.Outcomes, probe.Connected, probe.Answered) {
			fail("the host bridge must not answer")
		}
	case dst.IsMulticast():
		if hasAny(e.Outcomes, probe.Connected, probe.Answered) {
			fail("multicast DNS must not be answered")
		}
	case dst == tBelow || dst == tAbove:
		// private addresses next to the enclave: global egress is the
		// internet, not the LANs and container networks around it
		if global {
			wantDrop(&bad, e, "rbm:"+policy.GlobalPrivate)
		} else {
			wantDrop(&bad, e, dropRule)
		}
	case dst == t.HostAddr:
		// the host's own address: refused wherever an address could open
		// without being listed (global egress, learning), else not allowed
		if slices.Contains(p.HostAddrs, dst) && (global || p.Learns()) {
			wantDrop(&bad, e, "rbm:"+policy.HostRule)
		} else {
			wantDrop(&bad, e, dropRule)
		}
	case dst == t.Forbidden || dst == t.Allowed || dst == t.Foreign:
		if egressAllows(p, dst) {
			wantThrough(&bad, e, []string{allowID(p, dst)})
		} else {
			wantDrop(&bad, e, dropRule)
		}
	default:
		fail("the oracle does not know destination %v (spec %+v)", dst, s)
	}
	return bad
}

// sentryDNSOracle: queries to the sentry's own resolver.
func sentryDNSOracle(t Target, c Case) []string {
	var bad []string
	p, e := t.Policy, c.Expect
	in := "rbm:in-dns-" + proto(c.Spec.TCP || c.Spec.QType == "AXFR")
	switch {
	case c.Name == "dns/zone-transfer":
		if !e.Answers.none {
			bad = append(bad, "a zone transfer must return no records")
		}
	case strings.HasPrefix(c.Name, "dns/rebind-"):
		if !e.Answers.noPrivate {
			bad = append(bad, "rebinding bait must be checked for private answers")
		}
	case p.DNS == policy.DNSOff:
		if hasAny(e.Outcomes, probe.Answered) || !slices.Equal(e.Moved, []string{enclaveDrop}) {
			bad = append(bad, "DNS off: the sentry must drop the query (in-enclave-drop)")
		}
	case strings.Trim(strings.ReplaceAll(c.Spec.Name, ".", ""), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "":
		// not a host name: the guard refuses it in every mode
		if e.Rcode != "REFUSED" || !e.Answers.none || e.Upstream == nil || e.Upstream.Asked || !queryMoves(e, in) {
			bad = append(bad, "not a host name: want REFUSED, no answer, the upstream never asked, "+in+" moving")
		}
	default:
		rcode, want := "NXDOMAIN", answers{}
		switch name := c.Spec.Name; {
		case name == t.AllowedName && (p.DNS == policy.DNSGlobal || coveredBy(name, p.AllowedDomains)):
			// the Target promises the allowed name an address
			rcode, want = "NOERROR", answers{some: true}
		case p.DNS == policy.DNSGlobal:
			// any other name resolves, but may point anywhere: rebinding
			// protection applies unless the name is exempt
			rcode, want = "NOERROR", answers{noPrivate: !coveredBy(name, p.RebindOK)}
		}
		if !slices.Equal(e.Outcomes, []probe.Outcome{probe.Answered}) || e.Rcode != rcode || e.Answers != want || !queryMoves(e, in) {
			bad = append(bad, fmt.Sprintf("want answered %s %+v with %s moving", rcode, want, in))
		}
	}
	return bad
}

// interceptOracle: port 53 to a foreign resolver is never allowed out.
func interceptOracle(t Target, c Case) []string {
	var bad []string
	p, e := t.Policy, c.Expect
	pr := proto(c.Spec.Kind == probe.KindTCP || c.Spec.TCP)
	if !e.ForeignUntouched {
		bad = append(bad, "the foreign resolver must be checked untouched")
	}
	if p.DNS != policy.DNSOff && p.Intercept == policy.InterceptRedirect {
		if !queryMoves(e, "rbm:nat-dns-"+pr) {
			bad = append(bad, "redirect: want rbm:nat-dns-"+pr+" to move")
		}
		if hasAny(e.Outcomes, probe.Timeout, probe.Refused) || len(e.Outcomes) == 0 {
			bad = append(bad, "redirect: the sentry answers")
		}
		if c.Spec.Kind == probe.KindDNS {
			rcode := "NXDOMAIN"
			if p.DNS == policy.DNSGlobal {
				rcode = "NOERROR"
			}
			if e.Rcode != rcode || e.Answers.exclude != standin.DefaultForeignAnswer {
				bad = append(bad, fmt.Sprintf("redirect: want %s from the sentry, never the foreign answer", rcode))
			}
		}
		return bad
	}
	if !slices.Equal(e.Moved, []string{"rbm:fwd-dns-reject-" + pr}) || !slices.Equal(e.Outcomes, []probe.Outcome{probe.Refused}) {
		bad = append(bad, "reject or DNS off: want refused with rbm:fwd-dns-reject-"+pr+" moving")
	}
	return bad
}

func wantDrop(bad *[]string, e Expect, rule string) {
	if !sameSet(e.Outcomes, dropped) || !slices.Contains(e.Moved, rule) {
		*bad = append(*bad, fmt.Sprintf("want dropped (%v) with %s moving", dropped, rule))
	}
}

func wantThrough(bad *[]string, e Expect, rules []string) {
	if len(e.Outcomes) == 0 || hasAny(e.Outcomes, probe.Timeout, probe.Unreachable, probe.Denied, probe.Error) || !slices.Equal(e.Moved, rules) {
		*bad = append(*bad, fmt.Sprintf("want through with exactly %v moving", rules))
	}
}

func wantDenied(bad *[]string, e Expect) {
	if !slices.Equal(e.Outcomes, []probe.Outcome{probe.Denied}) {
		*bad = append(*bad, "want denied by the bottle's own kernel (no capabilities)")
	}
}

func egressAllows(p policy.Policy, a netip.Addr) bool {
	if !a.IsValid() || p.Subnet.Contains(a) || netip.MustParsePrefix("169.254.0.0/16").Contains(a) {
		return false
	}
	switch p.Egress {
	case policy.EgressGlobal:
		return true
	case policy.EgressAllowlist:
		return slices.ContainsFunc(p.AllowedCIDRs, func(c netip.Prefix) bool { return c.Contains(a) })
	}
	return false
}

func allowID(p policy.Policy, a netip.Addr) string {
	if p.Egress == policy.EgressGlobal {
		return "rbm:fwd-allow-global"
	}
	for _, c := range p.AllowedCIDRs {
		if c.Contains(a) {
			return "rbm:fwd-allow-" + c.String()
		}
	}
	return ""
}

func coveredBy(name string, domains []string) bool {
	for _, d := range domains {
		if name == d || strings.HasSuffix(name, "."+d) {
			return true
		}
	}
	return false
}

// destination is where a probe's packets go.
func destination(s probe.Spec) (netip.Addr, uint16) {
	text := s.Target
	switch s.Kind {
	case probe.KindDNS:
		text = s.Server
	case probe.KindHTTP, probe.KindHTTPS:
		u, err := url.Parse(s.URL)
		if err != nil {
			return netip.Addr{}, 0
		}
		port := map[string]uint16{"http": 80, "https": 443}[u.Scheme]
		if u.Port() != "" {
			p, _ := strconv.ParseUint(u.Port(), 10, 16)
			port = uint16(p)
		}
		a, _ := netip.ParseAddr(u.Hostname()) // a name: invalid address
		return a, port
	}
	if ap, err := netip.ParseAddrPort(text); err == nil {
		return ap.Addr(), ap.Port()
	}
	a, _ := netip.ParseAddr(text)
	return a, 0
}

func hasAny(os []probe.Outcome, want ...probe.Outcome) bool {
	return slices.ContainsFunc(os, func(o probe.Outcome) bool { return slices.Contains(want, o) })
}

func sameSet(a, b []probe.Outcome) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(o probe.Outcome) bool { return !slices.Contains(b, o) })
}

// byName indexes cases.
func byName(cs []Case) map[string]Case {
	m := map[string]Case{}
	for _, c := range cs {
		m[c.Name] = c
	}
	return m
}

// The brief's own statements, spelled out case by case.

func TestCasesAllowlistDropsForbiddenAndNamesTheAllowRule(t *testing.T) {
	for _, dns := range dnsModes {
		for _, ic := range interceptModes {
			p := testPolicy(policy.EgressAllowlist, dns, ic, true)
			for _, tg := range []Target{fullTarget(p, false), fullTarget(p, true)} {
				cs := byName(Cases(tg))
				for _, n := range []string{"egress/forbidden-tcp-443", "egress/forbidden-udp", "egress/forbidden-icmp", "egress/forbidden-quic-udp-443", "request/http-forbidden-address", "dns/foreign-resolver-port-5353", "dns/dns-over-tls-853"} {
					e := cs[n].Expect
					if !sameSet(e.Outcomes, dropped) || !slices.Equal(e.Moved, []string{"rbm:fwd-drop"}) {
						t.Errorf("dns=%s intercept=%s: %s: got %v moving %v, want a drop with rbm:fwd-drop moving", dns, ic, n, e.Outcomes, e.Moved)
					}
				}
				for _, n := range []string{"egress/allowed-tcp-443", "egress/allowed-icmp", "egress/allowed-quic-udp-443", "egress/allowed-tcp-22"} {
					e := cs[n].Expect
					if !slices.Equal(e.Moved, []string{"rbm:fwd-allow-203.0.113.0/24"}) || hasAny(e.Outcomes, probe.Timeout) {
						t.Errorf("dns=%s intercept=%s: %s: got %v moving %v, want through rbm:fwd-allow-203.0.113.0/24", dns, ic, n, e.Outcomes, e.Moved)
					}
				}
				https := cs["request/https-allowed-name"].Expect
				if dns == policy.DNSOff {
					if len(https.Moved) != 0 || hasAny(https.Outcomes, probe.Connected) {
						t.Errorf("dns=off: https by name must fail without DNS, got %+v", https)
					}
				} else if !slices.Equal(https.Moved, []string{"rbm:fwd-allow-203.0.113.0/24"}) {
					t.Errorf("dns=%s: https-allowed-name moves %v, want rbm:fwd-allow-203.0.113.0/24", dns, https.Moved)
				}
			}
			// An allowed host in the other CIDR names that CIDR's rule.
			second := fullTarget(p, false)
			second.Allowed = tAllowed2
			if got := byName(Cases(second))["egress/allowed-tcp-443"].Expect.Moved; !slices.Equal(got, []string{"rbm:fwd-allow-192.0.2.128/25"}) {
				t.Errorf("allowed host in 192.0.2.128/25: moved %v, want rbm:fwd-allow-192.0.2.128/25", got)
			}
		}
	}
}

func TestCasesGlobalAndNoneEgress(t *testing.T) {
	g := byName(Cases(fullTarget(testPolicy(policy.EgressGlobal, policy.DNSAllowlist, policy.InterceptRedirect, false), false)))
	for _, n := range []string{"egress/forbidden-tcp-443", "egress/allowed-tcp-443", "request/http-forbidden-address"} {
		if got := g[n].Expect.Moved; !slices.Equal(got, []string{"rbm:fwd-allow-global"}) {
			t.Errorf("global: %s moves %v, want rbm:fwd-allow-global", n, got)
		}
	}
	if e := g["egress/cloud-metadata"].Expect; !slices.Equal(e.Moved, []string{"rbm:fwd-linklocal"}) || !sameSet(e.Outcomes, dropped) {
		t.Errorf("global: cloud metadata must still be dropped by rbm:fwd-linklocal, got %+v", e)
	}
	n := byName(Cases(fullTarget(testPolicy(policy.EgressNone, policy.DNSAllowlist, policy.InterceptRedirect, false), false)))
	for _, name := range []string{"egress/forbidden-tcp-443", "egress/allowed-tcp-443", "egress/allowed-icmp"} {
		if e := n[name].Expect; !slices.Equal(e.Moved, []string{"rbm:fwd-drop"}) || !sameSet(e.Outcomes, dropped) {
			t.Errorf("none: %s: got %+v, want a drop by rbm:fwd-drop", name, e)
		}
	}
}

func TestCasesForeignDNSInterceptOrReject(t *testing.T) {
	names := map[string]string{
		"request/foreign-dns-udp":         "udp",
		"request/foreign-dns-tcp":         "tcp",
		"request/foreign-dns-tcp-connect": "tcp",
	}
	for _, eg := range egressModes {
		for _, dns := range dnsModes {
			for _, ic := range interceptModes {
				cs := byName(Cases(fullTarget(testPolicy(eg, dns, ic, false), false)))
				for n, pr := range names {
					e := cs[n].Expect
					want := "rbm:fwd-dns-reject-" + pr
					if dns != policy.DNSOff && ic == policy.InterceptRedirect {
						want = "rbm:nat-dns-" + pr
					}
					moves := slices.Equal(e.Moved, []string{want})
					if strings.HasPrefix(want, "rbm:nat-dns-") {
						moves = queryMoves(e, want)
					}
					if !moves || !e.ForeignUntouched {
						t.Errorf("egress=%s dns=%s intercept=%s: %s moves %v (foreign untouched %t), want %s and untouched", eg, dns, ic, n, e.Moved, e.ForeignUntouched, want)
					}
				}
			}
		}
	}
}

func TestCasesHostileChangesRawExpectations(t *testing.T) {
	raw := []string{"escape/spoofed-source", "escape/gre", "escape/sctp", "escape/fragmented-syn", "escape/route-change", "escape/sysctl-write",
		"escape/ipip", "escape/forged-rst", "escape/lone-ack", "escape/arp-claim-sentry", "escape/arp-claim-neighbour", "escape/mac-flood"}
	for _, eg := range egressModes {
		p := testPolicy(eg, policy.DNSAllowlist, policy.InterceptRedirect, true)
		tame, hostile := byName(Cases(fullTarget(p, false))), byName(Cases(fullTarget(p, true)))
		if len(tame) != len(hostile) {
			t.Errorf("egress=%s: hostile changes the number of cases: %d vs %d", eg, len(tame), len(hostile))
		}
		for n, c := range tame {
			if slices.Contains(raw, n) {
				if !slices.Equal(c.Expect.Outcomes, []probe.Outcome{probe.Denied}) {
					t.Errorf("egress=%s: tame %s: want denied, got %+v", eg, n, c.Expect)
				}
				if reflect.DeepEqual(c.Expect, hostile[n].Expect) {
					t.Errorf("egress=%s: %s: hostile expectation is the tame one", eg, n)
				}
				continue
			}
			if !reflect.DeepEqual(c, hostile[n]) {
				t.Errorf("egress=%s: %s: hostile changes a non-raw case", eg, n)
			}
		}
		spoof := hostile["escape/spoofed-source"].Expect
		if !slices.Equal(spoof.Moved, []string{"rbm:fwd-spoof"}) {
			t.Errorf("egress=%s: hostile spoof must be caught by rbm:fwd-spoof, got %+v", eg, spoof)
		}
		gre := hostile["escape/gre"].Expect
		if eg == policy.EgressGlobal {
			if !gre.Report {
				t.Errorf("global: hostile GRE is forwarded by design and must be reported, got %+v", gre)
			}
		} else if gre.Report || !slices.Contains(gre.AnyMoved, "rbm:fwd-drop") || !sameSet(gre.Outcomes, dropped) {
			t.Errorf("egress=%s: hostile GRE must be dropped, got %+v", eg, gre)
		}
		for _, n := range []string{"escape/route-change", "escape/sysctl-write"} {
			if !hostile[n].Expect.Report {
				t.Errorf("egress=%s: hostile %s changes only the bottle's namespace: want a report", eg, n)
			}
		}
	}
}

func TestCasesDNSOff(t *testing.T) {
	cs := byName(Cases(fullTarget(testPolicy(policy.EgressAllowlist, policy.DNSOff, policy.InterceptRedirect, true), false)))
	for _, n := range []string{"request/sentry-dns-allowed", "request/sentry-dns-forbidden", "dns/allowed-name-tcp"} {
		e := cs[n].Expect
		if hasAny(e.Outcomes, probe.Answered) || !slices.Equal(e.Moved, []string{"rbm:in-enclave-drop"}) {
			t.Errorf("dns off: %s: got %+v, want no answer and rbm:in-enclave-drop", n, e)
		}
	}
	for _, n := range []string{"dns/rebind-private", "dns/rebind-metadata"} {
		if _, ok := cs[n]; ok {
			t.Errorf("dns off: %s must not be run (there is no resolver to bait)", n)
		}
	}
}

// Under global DNS every name resolves, but only the allowed name is
// promised an address: the forbidden name's answer may be a private one
// that rebinding protection strips (the lab's stand-ins answer with
// documentation addresses, which dnsmasq treats as private). The sentry
// must then answer NOERROR with no private address, not NXDOMAIN.
func TestCasesGlobalDNSForbiddenName(t *testing.T) {
	p := testPolicy(policy.EgressAllowlist, policy.DNSGlobal, policy.InterceptRedirect, false)
	cs := byName(Cases(fullTarget(p, false)))
	e := cs["request/sentry-dns-forbidden"].Expect
	if e.Rcode != "NOERROR" || e.Answers != (answers{noPrivate: true}) || !queryMoves(e, "rbm:in-dns-udp") {
		t.Errorf("global DNS, forbidden name: got %+v, want NOERROR, no private answer, rbm:in-dns-udp", e)
	}
	for _, n := range []string{"request/sentry-dns-allowed", "dns/allowed-name-tcp"} {
		if got := cs[n].Expect.Answers; got != (answers{some: true}) {
			t.Errorf("global DNS: %s answers %+v, want an address", n, got)
		}
	}
	stripped := answered("NOERROR")
	if ok, why, _ := e.judge(stripped, []string{"rbm:in-dns-udp"}, witness{}); !ok {
		t.Errorf("a stripped private answer must hold: %s", why)
	}
	if ok, _, _ := e.judge(answered("NOERROR", "10.255.0.99"), []string{"rbm:in-dns-udp"}, witness{}); ok {
		t.Error("a private answer for a non-exempt name must not hold")
	}
	if ok, _, _ := e.judge(answered("NXDOMAIN"), []string{"rbm:in-dns-udp"}, witness{}); ok {
		t.Error("NXDOMAIN under global DNS must not hold")
	}
	// exempt from rebinding protection: no constraint on the address
	p.RebindOK = append(p.RebindOK, "forbidden.test")
	if got := byName(Cases(fullTarget(p, false)))["request/sentry-dns-forbidden"].Expect.Answers; got != (answers{}) {
		t.Errorf("rebind-exempt forbidden name: answers %+v, want no constraint", got)
	}
}

func answered(rcode string, as ...string) probe.Result {
	return probe.Result{Outcome: probe.Answered, Rcode: rcode, Answers: as}
}

// learnOracle: the learned server is in no allowed CIDR, so only global
// egress or the sentry's own answer (egress and DNS allowlists, learning
// on) reaches it; nothing learned through another resolver ever does.
func learnOracle(t Target, c Case) []string {
	var bad []string
	p, e := t.Policy, c.Expect
	global := p.Egress == policy.EgressGlobal
	learns := p.Learn.Enabled && p.Egress == policy.EgressAllowlist && p.DNS == policy.DNSAllowlist
	resolves := p.DNS == policy.DNSGlobal || p.DNS == policy.DNSAllowlist && strings.HasSuffix(t.LearnName, ".allowed.test")
	switch c.Name {
	case "learn/before-resolving":
		if global {
			wantThrough(&bad, e, []string{"rbm:fwd-allow-global"})
		} else {
			wantDrop(&bad, e, "rbm:fwd-drop")
		}
		if e.UnlessLearned != tLearned.String() {
			bad = append(bad, "must report, not judge, when the address was learned before")
		}
	case "learn/after-resolving":
		switch {
		case !resolves:
			if hasAny(e.Outcomes, probe.Connected, probe.Error) || len(e.Outcomes) == 0 {
				bad = append(bad, "the name does not resolve: want it not to connect (and a probe error to count)")
			}
		case learns:
			wantThrough(&bad, e, []string{"rbm:fwd-learned", "rbm:fwd-learned-" + tLearned.String()})
		case global:
			wantThrough(&bad, e, []string{"rbm:fwd-allow-global"})
		default:
			wantDrop(&bad, e, "rbm:fwd-drop")
		}
	case "learn/host-address-answer":
		// the host's own address never opens by an answer: fwd-host where
		// an address could open unlisted (global, learning), else unlisted
		switch {
		case !(p.DNS == policy.DNSGlobal || p.DNS == policy.DNSAllowlist && strings.HasSuffix(t.HostName, ".allowed.test")):
			if hasAny(e.Outcomes, probe.Connected, probe.Error) || len(e.Outcomes) == 0 {
				bad = append(bad, "the name does not resolve: want it not to connect (and a probe error to count)")
			}
		case global || learns:
			wantDrop(&bad, e, "rbm:"+policy.HostRule)
		default:
			wantDrop(&bad, e, "rbm:fwd-drop")
		}
	case "learn/forbidden-name-via-foreign-resolver":
		if hasAny(e.Outcomes, probe.Connected, probe.Error) || len(e.Outcomes) == 0 {
			bad = append(bad, "a forbidden name must never connect (and a probe error must count)")
		}
	default:
		bad = append(bad, "unknown learn case")
	}
	return bad
}

// TestLearnedOnUplinkIsGuarded: a learned stand-in inside the sentry's
// uplink subnet (as on the Podman test world's internal uplink) must be
// dropped by the guard before and after resolving, and so must a forbidden
// address there.
func TestLearnedOnUplinkIsGuarded(t *testing.T) {
	tg := fullTarget(testPolicy(policy.EgressAllowlist, policy.DNSAllowlist, policy.InterceptRedirect, false), false)
	tg.UplinkPrefix = netip.MustParsePrefix("198.51.100.0/24") // holds tLearned and tForbidden
	seen := 0
	for _, c := range Cases(tg) {
		switch c.Name {
		case "learn/before-resolving", "learn/after-resolving", "egress/forbidden-tcp-443":
			seen++
			if !slices.Equal(c.Expect.Moved, []string{"rbm:fwd-learn-guard"}) || !sameSet(c.Expect.Outcomes, dropped) {
				t.Errorf("%s: expect %+v, want dropped by rbm:fwd-learn-guard", c.Name, c.Expect)
			}
		}
	}
	if seen != 3 {
		t.Fatalf("%d of the 3 cases found", seen)
	}
	tg.Policy.Learn.Enabled = false
	for _, c := range Cases(tg) {
		if c.Name == "egress/forbidden-tcp-443" && !slices.Equal(c.Expect.Moved, []string{dropRule}) {
			t.Errorf("without learning there is no guard: %+v", c.Expect)
		}
	}
}

// queryMoves: a DNS query over TCP must move id; over UDP id, or
// in-established when its source port matched a flow conntrack still holds.
func queryMoves(e Expect, id string) bool {
	if strings.HasSuffix(id, "-udp") {
		return len(e.Moved) == 0 && slices.Equal(e.AnyMoved, []string{id, "rbm:in-established"})
	}
	return slices.Equal(e.Moved, []string{id}) && len(e.AnyMoved) == 0
}
