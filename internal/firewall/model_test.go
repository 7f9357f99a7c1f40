package firewall

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/policy/policytest"
)

// modelPolicies are the golden modes, with learning on in allowlist mode.
func modelPolicies() map[string]policy.Policy {
	out := map[string]policy.Policy{}
	for _, m := range policytest.Modes() {
		p := policy.Policy{SentryIP: netip.MustParseAddr("192.0.2.2"), BottleIP: netip.MustParseAddr("192.0.2.3"),
			Subnet: netip.MustParsePrefix("192.0.2.0/24"), Upstream: netip.MustParseAddr("198.51.100.53"),
			AllowedCIDRs: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")},
			HostAddrs:    []netip.Addr{netip.MustParseAddr("198.18.0.1")},
			Egress:       m.Egress, DNS: m.DNS, Intercept: m.Intercept}
		if m.Entry {
			p.Entry = &policy.Entry{WorkstationPort: 8443, EnclavePort: 8000}
		}
		m.Apply(&p)
		out[m.Name] = p
		p.Learn = policy.Learn{Enabled: true, Lifetime: time.Minute, Max: 8}
		out[m.Name+"_learn"] = p
	}
	return out
}

var modelIfs = Interfaces{Enclave: "enc0", Uplink: "up0", UplinkPrefix: netip.MustParsePrefix("10.88.0.0/16")}

// TestModelShape checks what every backend relies on: ids unique, every
// rule in a declared chain, every jump to a declared chain, the reject
// chain declared only when a denial jumps to it.
func TestModelShape(t *testing.T) {
	for name, p := range modelPolicies() {
		m := Build(p, modelIfs)
		seen := map[string]bool{}
		jumps := map[Chain]bool{}
		for _, r := range m.Rules {
			if seen[r.ID] {
				t.Errorf("%s: id %s twice", name, r.ID)
			}
			seen[r.ID] = true
			if !slices.Contains(m.Chains, r.Chain) {
				t.Errorf("%s: %s in undeclared chain %d", name, r.ID, r.Chain)
			}
			if r.Verdict.Kind == Jump {
				jumps[r.Verdict.Chain] = true
			}
		}
		for _, c := range m.Chains {
			if !c.IsHook() && !jumps[c] {
				t.Errorf("%s: nothing jumps to chain %d", name, c)
			}
		}
	}
}

// TestModelLogTwins: every denial's first rule is preceded by its log twin,
// in the same chain with the same match plus the rate limit; nothing else
// logs.
func TestModelLogTwins(t *testing.T) {
	for name, p := range modelPolicies() {
		rules := Build(p, modelIfs).Rules
		for i, r := range rules {
			isTwin := r.Verdict.Kind == Log
			if isTwin != IsLogID(r.ID) || isTwin && LogID(r.Verdict.Of) != r.ID {
				t.Errorf("%s: rule %s logs %v", name, r.ID, r.Verdict)
			}
			if !IsDenial(r.ID) {
				continue
			}
			if i == 0 || rules[i-1].ID != LogID(r.ID) {
				t.Errorf("%s: denial %s has no log twin before it", name, r.ID)
				continue
			}
			tw := rules[i-1]
			if tw.Chain != r.Chain || !slices.EqualFunc(tw.Match, append(slices.Clip(r.Match), limited), sameTerm) {
				t.Errorf("%s: log twin of %s differs: %+v vs %+v", name, r.ID, tw, r)
			}
		}
	}
}

func sameTerm(a, b Term) bool {
	return a.Kind == b.Kind && a.Not == b.Not && a.Iface == b.Iface && a.Addr == b.Addr && a.Prefix == b.Prefix &&
		slices.Equal(a.Ranges, b.Ranges) && a.Name == b.Name && a.Set == b.Set && a.NoCount == b.NoCount &&
		a.Proto == b.Proto && slices.Equal(a.Ports, b.Ports) && a.Mark == b.Mark
}

// TestModelAllowOrder: in the forward chain nothing accepts before the
// spoofing, DNS and link-local rules; the guard comes before the learned
// accept, and both match the uplink only.
func TestModelAllowOrder(t *testing.T) {
	for name, p := range modelPolicies() {
		var ids []string
		for _, r := range Build(p, modelIfs).Rules {
			if r.Chain != ChainForward {
				continue
			}
			ids = append(ids, r.ID)
			if r.Verdict.Kind == Accept && !slices.Contains(ids, "fwd-linklocal") {
				t.Errorf("%s: %s accepts before fwd-linklocal", name, r.ID)
			}
			if (r.ID == "fwd-learn-guard" || r.ID == "fwd-learned") && !slices.ContainsFunc(r.Match, func(t Term) bool {
				return t.Kind == OutIface && t.Iface == modelIfs.Uplink
			}) {
				t.Errorf("%s: %s does not match the uplink", name, r.ID)
			}
		}
		if i := slices.Index(ids, "fwd-learned"); i >= 0 && !slices.Contains(ids[:i], "fwd-learn-guard") {
			t.Errorf("%s: fwd-learned before the guard: %v", name, ids)
		}
		if slices.Contains(ids, "fwd-learned") != (p.Learns() && (!p.GatesLearned() || len(p.AddressPorts()) > 0)) {
			t.Errorf("%s: fwd-learned present %v, learns %v", name, slices.Contains(ids, "fwd-learned"), p.Learns())
		}
	}
}

// TestModelIDsIgnoreNames: ids, and so counters, do not depend on the
// interfaces' names.
func TestModelIDsIgnoreNames(t *testing.T) {
	other := modelIfs
	other.Enclave, other.Uplink = "eth7", "eth8"
	for name, p := range modelPolicies() {
		if a, b := Build(p, modelIfs).IDs(), Build(p, other).IDs(); !slices.Equal(a, b) {
			t.Errorf("%s: ids differ with names:\n%v\n%v", name, a, b)
		}
	}
}

// TestModelSets: the sets' contents follow the policy, and a set no rule
// uses is empty or absent.
func TestModelSets(t *testing.T) {
	for name, p := range modelPolicies() {
		m := Build(p, modelIfs)
		if f, _ := m.Fill(SetAllowed); m.Uses(SetAllowed) != (len(f.Elements) > 0) {
			t.Errorf("%s: allowed set used %v, holds %v", name, m.Uses(SetAllowed), f.Elements)
		}
		if _, ok := m.Fill(SetLearned); ok != p.Learns() || m.Uses(SetLearned) != p.Learns() {
			t.Errorf("%s: learned set %v used %v, learns %v", name, ok, m.Uses(SetLearned), p.Learns())
		}
		if f, _ := m.Fill(SetNever); !slices.Contains(f.Elements, modelIfs.UplinkPrefix) {
			t.Errorf("%s: never set lacks the uplink's subnet: %v", name, f.Elements)
		}
	}
}

// TestClosed: the lockdown and the IPv6 rules pass loopback only.
func TestClosed(t *testing.T) {
	m := Lockdown()
	if !slices.Equal(m.IDs(), []string{"rbm:lock-in-loopback", "rbm:lock-in-drop", "rbm:lock-fwd-drop", "rbm:lock-out-loopback", "rbm:lock-out-drop"}) {
		t.Errorf("lockdown ids %v", m.IDs())
	}
	for _, r := range Closed("v6", true) {
		if !r.IPv6 || r.Verdict.Kind == Accept && (len(r.Match) != 1 || r.Match[0].Iface != "lo") {
			t.Errorf("v6 rule %+v", r)
		}
	}
}
