package firewall

import (
	"net/netip"
	"slices"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// Build returns the sentry's ruleset for p as a backend-neutral model: the
// one place where the skeleton (chains and jumps), the allow order, the
// log twin of each denial and the learned-address guard are decided.
// Backends only translate it. p and ifs are trusted, validated values;
// the result is deterministic.
func Build(p policy.Policy, ifs Interfaces) Model {
	m := &Model{Chains: []Chain{HookInput, HookForward, HookOutput, HookPrerouting, HookPostrouting, HookNATOutput,
		ChainIngress, ChainForward, ChainEgress}}
	addIngress(m, p, ifs)
	addForward(m, p, ifs)
	addBottleForward(m, p, ifs)
	addEgress(m, p, ifs)
	addNAT(m, p, ifs)
	m.Sets = fills(p, ifs)
	return *m
}

// fills are the named sets' contents: the allowed CIDRs (none unless the
// egress mode lists them), what a learned address never opens, the host's
// own addresses, and, when the policy learns, the learned set's shape.
func fills(p policy.Policy, ifs Interfaces) []Fill {
	var allowed []netip.Prefix
	if p.Egress == policy.EgressAllowlist || p.Egress == policy.EgressGlobal {
		allowed = p.AllowedCIDRs
	}
	hosts := make([]netip.Prefix, len(p.HostAddrs))
	for i, a := range p.HostAddrs {
		hosts[i] = netip.PrefixFrom(a, 32)
	}
	out := []Fill{
		{Set: SetAllowed, Elements: allowed},
		{Set: SetNever, Elements: p.NeverLearned(ifs.UplinkPrefix)},
		{Set: SetHost, Elements: hosts},
	}
	if p.Learns() {
		out = append(out, Fill{Set: SetLearned, Lifetime: p.Learn.Lifetime, Max: p.Learn.Max})
	}
	return out
}

// Closed is the fail-closed filter: loopback passes, everything else is
// dropped by a rule of its own (so its counter shows attempts). Its ids
// start with prefix: "lock" for the lockdown, "v6" for IPv6, which no
// policy opens (an open IPv6 path is the most common escape from home-made
// egress filters).
func Closed(prefix string, ipv6 bool) []Rule {
	return []Rule{
		{ID: prefix + "-in-loopback", Chain: HookInput, IPv6: ipv6, Match: match(inIface("lo")), Verdict: accept},
		{ID: prefix + "-in-drop", Chain: HookInput, IPv6: ipv6, Verdict: drop},
		{ID: prefix + "-fwd-drop", Chain: HookForward, IPv6: ipv6, Verdict: drop},
		{ID: prefix + "-out-loopback", Chain: HookOutput, IPv6: ipv6, Match: match(outIface("lo")), Verdict: accept},
		{ID: prefix + "-out-drop", Chain: HookOutput, IPv6: ipv6, Verdict: drop},
	}
}

// Lockdown is the model of the fail-closed ruleset: every hook declared
// (so nat rules of an older ruleset go), only loopback passes.
func Lockdown() Model {
	return Model{Chains: []Chain{HookInput, HookForward, HookOutput, HookPrerouting, HookPostrouting, HookNATOutput},
		Rules: Closed("lock", false)}
}

// closedIPv6 appends the IPv6 rules of hook c, placed first in the hook.
func closedIPv6(m *Model, c Chain) {
	for _, r := range Closed("v6", true) {
		if r.Chain == c {
			m.Rules = append(m.Rules, r)
		}
	}
}

// add appends a rule. The first rule of a denial gets its log twin just
// before it: the same match, rate-limited, logging to LogGroup.
func (m *Model) add(c Chain, id string, ts []Term, v Verdict) {
	if IsDenial(id) && !slices.ContainsFunc(m.Rules, func(r Rule) bool { return r.ID == LogID(id) }) {
		twin := append(slices.Clip(ts), limited)
		m.Rules = append(m.Rules, Rule{ID: LogID(id), Chain: c, Match: twin, Verdict: Verdict{Kind: Log, Of: id}})
	}
	m.Rules = append(m.Rules, Rule{ID: id, Chain: c, Match: ts, Verdict: v})
}

// deny appends denial id: a drop, or with policy.DenyReject (for the
// denials in FailFast) a jump to the reject chain, which answers TCP with
// a reset and the rest with ICMP administratively prohibited (declared on
// first use).
func (m *Model) deny(c Chain, id string, ts []Term, how policy.Deny) {
	if how != policy.DenyReject || !FailsFast(id) {
		m.add(c, id, ts, drop)
		return
	}
	if !slices.Contains(m.Chains, ChainReject) {
		m.Chains = append(m.Chains, ChainReject)
		m.add(ChainReject, "reject-tcp", match(proto("tcp")), Verdict{Kind: RejectReset})
		m.add(ChainReject, "reject-other", nil, Verdict{Kind: RejectAdmin})
	}
	m.add(c, id, ts, jump(ChainReject))
}

// addIngress fills the input hook: the sentry accepts only DNS queries
// from the bottle, and the name gate's redirected connections.
func addIngress(m *Model, p policy.Policy, ifs Interfaces) {
	closedIPv6(m, HookInput)
	m.add(HookInput, "in-jump", nil, jump(ChainIngress))
	m.add(ChainIngress, "in-loopback", match(inIface("lo")), accept)
	m.add(ChainIngress, "in-established", match(established), accept)
	m.add(ChainIngress, "in-invalid", match(invalid), drop)
	if p.DNS != policy.DNSOff {
		for _, pr := range []string{"udp", "tcp"} {
			m.add(ChainIngress, policy.DNSAnswerRule(pr), match(inIface(ifs.Enclave), src(p.BottleIP), dst(p.SentryIP), port(pr, 53)), accept)
		}
	}
	if p.GateChecks() {
		// Only what nat-name redirected: the bottle cannot dial the gate.
		m.add(ChainIngress, "in-gate", match(inIface(ifs.Enclave), src(p.BottleIP), port("tcp", GatePort), dnatted), accept)
	}
	m.add(ChainIngress, policy.RuleEnclaveDrop, match(inIface(ifs.Enclave)), drop)
	m.add(ChainIngress, "in-drop", nil, drop)
}

// addEgress fills the output hook: the sentry itself talks only to its
// upstream resolver, besides replies. The resets and ICMP errors the
// forward chain's rejects send to the bottle also cross output; conntrack
// marks them RELATED, so out-established passes them.
func addEgress(m *Model, p policy.Policy, ifs Interfaces) {
	closedIPv6(m, HookOutput)
	m.add(HookOutput, "out-jump", nil, jump(ChainEgress))
	if e := p.Entry; e != nil {
		// The entry port dialled from inside the sentry, DNATed by
		// nat-entry-local. First, because the output hook still sees the
		// device routed to before the DNAT (lo), so out-loopback would
		// take it uncounted and an enclave match would not hold.
		m.add(ChainEgress, "out-entry", match(dst(p.BottleIP), port("tcp", e.EnclavePort), dnatted), accept)
	}
	m.add(ChainEgress, "out-loopback", match(outIface("lo")), accept)
	m.add(ChainEgress, "out-established", match(established), accept)
	if p.DNS != policy.DNSOff {
		for _, pr := range []string{"udp", "tcp"} {
			m.add(ChainEgress, "out-dns-"+pr, match(outIface(ifs.Uplink), dst(p.Upstream), port(pr, 53)), accept)
		}
	}
	// The gate's own connections: marked sockets, on the checked ports
	// only, to what it may have been redirected for.
	gate := func(ts ...Term) []Term {
		return append(match(outIface(ifs.Uplink), ports("tcp", p.Gate.Ports), mark(GateMark)), ts...)
	}
	if p.GatesCIDRs() {
		m.add(ChainEgress, "out-gate-cidrs", gate(not(dstPrefix(policy.LinkLocal)), lookup(SetAllowed)), accept)
	}
	if p.GatesLearned() {
		m.add(ChainEgress, "out-gate", gate(lookup(SetLearned), not(lookup(SetNever))), accept)
	}
	m.add(ChainEgress, "out-drop", nil, drop)
}
