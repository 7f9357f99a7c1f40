package firewall

import "github.com/recipe-bottle/rbm/internal/policy"

// addForward fills the forward hook: IPv6 dropped, replies, the entry
// port, and one jump for everything the enclave sends. Anything else is
// dropped, counted.
func addForward(m *Model, p policy.Policy, ifs Interfaces) {
	closedIPv6(m, HookForward)
	m.add(HookForward, "fwd-established", match(established), accept)
	if p.Entry != nil {
		// Only connections the nat hook DNATed reach the bottle: a packet
		// addressed to the bottle directly from the uplink is not one.
		m.add(HookForward, "fwd-entry", match(inIface(ifs.Uplink), outIface(ifs.Enclave), dst(p.BottleIP),
			port("tcp", p.Entry.EnclavePort), dnatted), accept)
	}
	m.add(HookForward, "fwd-jump", match(inIface(ifs.Enclave)), jump(ChainForward))
	m.add(HookForward, "fwd-drop-other", nil, drop)
}

// addBottleForward fills the forward chain, which sees every new packet
// leaving the enclave: drop what is not the bottle's, stop DNS bypasses,
// then allow what the egress mode allows. DNS and link-local rules come
// before any accept, so "global" never opens them.
func addBottleForward(m *Model, p policy.Policy, ifs Interfaces) {
	m.add(ChainForward, policy.RuleSpoof, match(not(src(p.BottleIP))), drop)
	m.add(ChainForward, "fwd-invalid", match(invalid), drop)
	m.deny(ChainForward, policy.RuleHairpin, match(outIface(ifs.Enclave)), p.Deny)
	// In redirect mode the nat hook turns port-53 traffic into input, so
	// these never match there; they stay as a backstop should DNAT not apply.
	m.add(ChainForward, policy.DNSRejectRule("udp"), match(port("udp", 53)), Verdict{Kind: RejectPort})
	m.add(ChainForward, policy.DNSRejectRule("tcp"), match(port("tcp", 53)), Verdict{Kind: RejectReset})
	// Cloud metadata services live here; no egress mode reaches them.
	m.deny(ChainForward, policy.RuleLinkLocal, match(dstPrefix(policy.LinkLocal)), p.Deny)
	addAllowed(m, p, ifs)
	m.deny(ChainForward, policy.RuleDrop, nil, p.Deny)
}

// addAllowed adds the egress mode: nothing, the internet (the uplink but
// what the global guards refuse, unless a listed CIDR opens it), or the
// allowed set (one lookup however long the list; each element keeps its
// own counter). Learned addresses come after the guard, which no resolver
// answer can open, while listed CIDRs, matched before it, still do.
func addAllowed(m *Model, p policy.Policy, ifs Interfaces) {
	up := outIface(ifs.Uplink)
	switch p.Egress {
	case policy.EgressGlobal:
		// The listed CIDRs first: they are the exceptions to the guards.
		m.add(ChainForward, policy.RuleAllowCIDRs, match(up, inSet(SetAllowed)), accept)
		m.deny(ChainForward, policy.HostRule, match(inSet(SetHost)), p.Deny)
		for _, g := range p.GlobalGuards(ifs.UplinkPrefix) {
			m.deny(ChainForward, g.Rule, match(dstRanges(g.Rule, g.Ranges)), p.Deny)
		}
		m.add(ChainForward, policy.RuleAllowGlobal, match(up), accept)
	case policy.EgressAllowlist:
		m.add(ChainForward, policy.RuleAllowCIDRs, match(up, inSet(SetAllowed)), accept)
		if p.Learns() {
			m.deny(ChainForward, policy.HostRule, match(inSet(SetHost)), p.Deny)
			m.deny(ChainForward, policy.RuleLearnGuard, match(up, inSet(SetNever)), p.Deny)
			addLearned(m, p, up)
		}
	}
}

// addLearned opens learned addresses: to everything, or, while the name
// gate checks, only on the ports it leaves at address level (the checked
// ports never reach forward: nat-name redirects them to the gate).
func addLearned(m *Model, p policy.Policy, up Term) {
	ts := match(up, inSet(SetLearned))
	if p.GatesLearned() {
		ps := p.AddressPorts()
		if len(ps) == 0 {
			return
		}
		ts = match(up, ports("tcp", ps), inSet(SetLearned))
	}
	m.add(ChainForward, policy.RuleLearned, ts, accept)
}
