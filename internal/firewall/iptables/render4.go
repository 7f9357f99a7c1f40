package iptables

import (
	"fmt"
	"github.com/recipe-bottle/rbm/internal/firewall"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// RenderIPv4 returns the complete iptables-restore document for p: the filter
// and nat tables, both replaced atomically (it is meant to be loaded without
// --noflush). p and ifs are trusted, validated values: nothing is checked or
// escaped here. The output is deterministic.
func RenderIPv4(p policy.Policy, ifs firewall.Interfaces) string {
	return buildIPv4(p, ifs).String()
}

// RuleIDs lists every rule id ("rbm:...") that RenderIPv4 renders for p, in
// document order. Ids do not depend on interface names; the uplink's
// subnet, which the sentry always knows, is assumed known.
func RuleIDs(p policy.Policy) []string {
	return buildIPv4(p, firewall.IDInterfaces).ids()
}

// CounterIDs lists every counter id a snapshot of p's ruleset holds from
// the start: RuleIDs, then one per allowed CIDR (its set element).
func CounterIDs(p policy.Policy) []string {
	ids := RuleIDs(p)
	if p.Egress == policy.EgressAllowlist || p.Egress == policy.EgressGlobal {
		for _, c := range p.AllowedCIDRs {
			ids = append(ids, idPrefix+firewall.AllowID(c))
		}
	}
	return ids
}

// buildIPv4 is the single description of the ruleset that both the text and
// the id list come from.
func buildIPv4(p policy.Policy, ifs firewall.Interfaces) document {
	f := newTable("filter", "DROP", filterBuiltins, chainIngress, chainForward, chainEgress)
	addIngress(f, p, ifs)
	addForward(f, p, ifs)
	addBottleForward(f, p, ifs)
	addEgress(f, p, ifs)
	return document{header: header(p), tables: []*table{f, buildNAT(p, ifs)}}
}

// header names the mode, so a dumped ruleset says what it was rendered for.
func header(p policy.Policy) []string {
	entry := "off"
	if p.Entry != nil {
		entry = fmt.Sprintf("%d->%d", p.Entry.WorkstationPort, p.Entry.EnclavePort)
	}
	return []string{
		"rbm IPv4 ruleset; load with iptables-restore (no --noflush): replaces filter and nat",
		fmt.Sprintf("egress=%s dns=%s intercept=%s entry=%s", p.Egress, p.DNS, p.Intercept, entry),
	}
}

// addIngress fills INPUT: the sentry accepts only DNS queries from the bottle.
func addIngress(t *table, p policy.Policy, ifs firewall.Interfaces) {
	t.add("INPUT", "in-jump", "", chainIngress)
	t.add(chainIngress, "in-loopback", "-i lo", "ACCEPT")
	t.add(chainIngress, "in-established", "-m conntrack --ctstate RELATED,ESTABLISHED", "ACCEPT")
	t.add(chainIngress, "in-invalid", "-m conntrack --ctstate INVALID", "DROP")
	if p.DNS != policy.DNSOff {
		for _, proto := range []string{"udp", "tcp"} {
			m := fmt.Sprintf("-i %s -s %s -d %s -p %s -m %s --dport 53", ifs.Enclave, p.BottleIP, p.SentryIP, proto, proto)
			t.add(chainIngress, "in-dns-"+proto, m, "ACCEPT")
		}
	}
	if p.GateChecks() {
		// Only what nat-name redirected: the bottle cannot dial the gate.
		m := fmt.Sprintf("-i %s -s %s -p tcp -m tcp --dport %d -m conntrack --ctstate DNAT", ifs.Enclave, p.BottleIP, firewall.GatePort)
		t.add(chainIngress, "in-gate", m, "ACCEPT")
	}
	t.add(chainIngress, "in-enclave-drop", "-i "+ifs.Enclave, "DROP")
	t.add(chainIngress, "in-drop", "", "DROP")
}

// addEgress fills OUTPUT: the sentry itself talks only to its upstream
// resolver, besides replies. The RST and ICMP errors that REJECT in
// RBM-FORWARD sends to the bottle also cross OUTPUT; conntrack marks them
// RELATED, so out-established passes them and they need no rule of their own
// (TestTrafficThroughSentry checks this).
func addEgress(t *table, p policy.Policy, ifs firewall.Interfaces) {
	t.add("OUTPUT", "out-jump", "", chainEgress)
	t.add(chainEgress, "out-loopback", "-o lo", "ACCEPT")
	t.add(chainEgress, "out-established", "-m conntrack --ctstate RELATED,ESTABLISHED", "ACCEPT")
	if p.DNS != policy.DNSOff {
		for _, proto := range []string{"udp", "tcp"} {
			m := fmt.Sprintf("-o %s -d %s -p %s -m %s --dport 53", ifs.Uplink, p.Upstream, proto, proto)
			t.add(chainEgress, "out-dns-"+proto, m, "ACCEPT")
		}
	}
	// The gate's own connections: marked sockets, on the checked ports
	// only, to what it may have been redirected for.
	gate := fmt.Sprintf("-o %s -p tcp -m multiport --dports %s -m mark --mark %#x", ifs.Uplink, portList(p.Gate.Ports), firewall.GateMark)
	if p.GatesCIDRs() {
		t.add(chainEgress, "out-gate-cidrs", fmt.Sprintf("%s ! -d %s -m set --match-set %s dst ! --update-counters", gate, policy.LinkLocal, setAllowed), "ACCEPT")
	}
	if p.GatesLearned() {
		m := fmt.Sprintf("%s -m set --match-set %s dst ! --update-counters -m set ! --match-set %s dst ! --update-counters", gate, setLearned, setNever)
		t.add(chainEgress, "out-gate", m, "ACCEPT")
	}
	t.add(chainEgress, "out-drop", "", "DROP")
}
