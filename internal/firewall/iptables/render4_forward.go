package iptables

import (
	"fmt"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"strconv"
	"strings"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// addForward fills the built-in FORWARD chain: replies, the entry port, and
// one jump for everything the enclave sends. Anything else is dropped, counted.
func addForward(t *table, p policy.Policy, ifs firewall.Interfaces) {
	t.add("FORWARD", "fwd-established", "-m conntrack --ctstate RELATED,ESTABLISHED", "ACCEPT")
	if p.Entry != nil {
		// Only connections the nat table DNATed reach the bottle: a packet
		// addressed to the bottle directly from the uplink is not one.
		m := fmt.Sprintf("-i %s -o %s -d %s -p tcp -m tcp --dport %d -m conntrack --ctstate DNAT",
			ifs.Uplink, ifs.Enclave, p.BottleIP, p.Entry.EnclavePort)
		t.add("FORWARD", "fwd-entry", m, "ACCEPT")
	}
	t.add("FORWARD", "fwd-jump", "-i "+ifs.Enclave, chainForward)
	t.add("FORWARD", "fwd-drop-other", "", "DROP")
}

// addBottleForward fills RBM-FORWARD, which sees every new packet leaving the
// enclave: drop what is not the bottle's, stop DNS bypasses, then allow what
// the egress mode allows. The order matters: DNS and link-local rules come
// before any ACCEPT, so "global" never opens them.
func addBottleForward(t *table, p policy.Policy, ifs firewall.Interfaces) {
	t.add(chainForward, "fwd-spoof", "! -s "+p.BottleIP.String(), "DROP")
	t.add(chainForward, "fwd-invalid", "-m conntrack --ctstate INVALID", "DROP")
	t.deny(chainForward, "fwd-hairpin", "-o "+ifs.Enclave, p.Deny)
	// In redirect mode the nat table turns port-53 traffic into INPUT, so
	// these never match there; they stay as a backstop should DNAT not apply.
	t.add(chainForward, "fwd-dns-reject-udp", "-p udp -m udp --dport 53", "REJECT --reject-with icmp-port-unreachable")
	t.add(chainForward, "fwd-dns-reject-tcp", "-p tcp -m tcp --dport 53", "REJECT --reject-with tcp-reset")
	// Cloud metadata services live here; no egress mode reaches them.
	t.deny(chainForward, "fwd-linklocal", "-d "+policy.LinkLocal.String(), p.Deny)
	addAllowed(t, p, ifs)
	t.deny(chainForward, "fwd-drop", "", p.Deny)
}

// addAllowed renders the egress mode: nothing, the internet (the uplink
// but what the global guards refuse, unless a listed CIDR opens it), or the
// allowed CIDRs as one set lookup (a hash lookup per new connection, however
// long the list; each element keeps its own counter). Learned addresses
// come after a guard that no resolver answer can open.
func addAllowed(t *table, p policy.Policy, ifs firewall.Interfaces) {
	switch p.Egress {
	case policy.EgressGlobal:
		// The listed CIDRs first: they are the exceptions to the guards.
		t.add(chainForward, "fwd-allow-cidrs", fmt.Sprintf("-o %s -m set --match-set %s dst", ifs.Uplink, setAllowed), "ACCEPT")
		t.deny(chainForward, policy.HostRule, "-m set --match-set "+setHost+" dst", p.Deny)
		for _, g := range p.GlobalGuards(ifs.UplinkPrefix) {
			t.deny(chainForward, g.Rule, guardMatch(g), p.Deny)
		}
		t.add(chainForward, "fwd-allow-global", "-o "+ifs.Uplink, "ACCEPT")
	case policy.EgressAllowlist:
		t.add(chainForward, "fwd-allow-cidrs", fmt.Sprintf("-o %s -m set --match-set %s dst", ifs.Uplink, setAllowed), "ACCEPT")
		if p.Learns() {
			t.deny(chainForward, policy.HostRule, "-m set --match-set "+setHost+" dst", p.Deny)
			t.deny(chainForward, "fwd-learn-guard", fmt.Sprintf("-o %s -m set --match-set %s dst", ifs.Uplink, setNever), p.Deny)
			addLearned(t, p, ifs)
		}
	}
}

// addLearned opens learned addresses: to everything, or, while the name
// gate checks, only on the ports it leaves at address level (the checked
// ports never reach FORWARD: nat-name redirects them to the gate).
func addLearned(t *table, p policy.Policy, ifs firewall.Interfaces) {
	m := fmt.Sprintf("-o %s -m set --match-set %s dst", ifs.Uplink, setLearned)
	if p.GatesLearned() {
		ports := p.AddressPorts()
		if len(ports) == 0 {
			return
		}
		m = fmt.Sprintf("-o %s -p tcp -m multiport --dports %s -m set --match-set %s dst", ifs.Uplink, portList(ports), setLearned)
	}
	t.add(chainForward, "fwd-learned", m, "ACCEPT")
}

// portList is ports as multiport and nft sets write them: "80,443".
func portList(ports []uint16) string {
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(int(p))
	}
	return strings.Join(s, ",")
}

// guardMatch matches a global guard's ranges: one range by address, more
// through the guard's own set (guardSet).
func guardMatch(g policy.Guard) string {
	if len(g.Ranges) == 1 {
		return "-d " + g.Ranges[0].String()
	}
	return fmt.Sprintf("-m set --match-set %s dst", guardSet(g))
}

// guardSet names the ipset of a global guard: "rbm-private4" for
// fwd-global-private.
func guardSet(g policy.Guard) string {
	return "rbm-" + strings.TrimPrefix(g.Rule, "fwd-global-") + "4"
}
