package nftables

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// addForward fills the forward base chain: IPv6 dropped, replies, the
// entry port, and one jump for everything the enclave sends. Anything else
// is dropped, counted.
func addForward(d *document, p policy.Policy, ifs firewall.Interfaces) {
	d.add(chainForwardBase, "v6-fwd-drop", "meta nfproto ipv6", "drop")
	d.add(chainForwardBase, "fwd-established", "ct state established,related", "accept")
	if p.Entry != nil {
		// Only connections the nat chain DNATed reach the bottle: a packet
		// addressed to the bottle directly from the uplink is not one.
		m := fmt.Sprintf("iifname %q oifname %q ip daddr %s tcp dport %d ct status dnat",
			ifs.Uplink, ifs.Enclave, p.BottleIP, p.Entry.EnclavePort)
		d.add(chainForwardBase, "fwd-entry", m, "accept")
	}
	d.add(chainForwardBase, "fwd-jump", fmt.Sprintf("iifname %q", ifs.Enclave), "jump "+chainForward)
	d.add(chainForwardBase, "fwd-drop-other", "", "drop")
}

// addBottleForward fills rbm-forward, which sees every new packet leaving
// the enclave: drop what is not the bottle's, stop DNS bypasses, then allow
// what the egress mode allows. DNS and link-local rules come before any
// accept, so "global" never opens them.
func addBottleForward(d *document, p policy.Policy, ifs firewall.Interfaces) {
	d.add(chainForward, "fwd-spoof", "ip saddr != "+p.BottleIP.String(), "drop")
	d.add(chainForward, "fwd-invalid", "ct state invalid", "drop")
	d.deny(chainForward, "fwd-hairpin", fmt.Sprintf("oifname %q", ifs.Enclave), p.Deny)
	// In redirect mode the nat chain turns port-53 traffic into input, so
	// these never match there; they stay as a backstop should DNAT not apply.
	d.add(chainForward, "fwd-dns-reject-udp", "udp dport 53", "reject with icmp port-unreachable")
	d.add(chainForward, "fwd-dns-reject-tcp", "tcp dport 53", "reject with tcp reset")
	// Cloud metadata services live here; no egress mode reaches them.
	d.deny(chainForward, "fwd-linklocal", "ip daddr "+policy.LinkLocal.String(), p.Deny)
	addAllowed(d, p, ifs)
	d.deny(chainForward, "fwd-drop", "", p.Deny)
}

// addAllowed renders the egress mode: nothing, the internet (the uplink
// but what the global guards refuse, unless a listed CIDR opens it), or the
// allow4 set (each element counts for itself, so verification still tells
// CIDRs apart). Learned addresses come after the guard, so they never open
// never4, while explicit CIDRs, matched before it, still do.
func addAllowed(d *document, p policy.Policy, ifs firewall.Interfaces) {
	up := fmt.Sprintf("oifname %q", ifs.Uplink)
	switch p.Egress {
	case policy.EgressGlobal:
		// The listed CIDRs first: they are the exceptions to the guards.
		d.add(chainForward, "fwd-allow-cidrs", up+" ip daddr @"+setAllowed, "accept")
		d.deny(chainForward, policy.HostRule, "ip daddr @"+setHost, p.Deny)
		for _, g := range p.GlobalGuards(ifs.UplinkPrefix) {
			d.deny(chainForward, g.Rule, "ip daddr { "+strings.Join(elements(g.Ranges), ", ")+" }", p.Deny)
		}
		d.add(chainForward, "fwd-allow-global", up, "accept")
	case policy.EgressAllowlist:
		d.add(chainForward, "fwd-allow-cidrs", up+" ip daddr @"+setAllowed, "accept")
		if p.Learns() {
			d.deny(chainForward, policy.HostRule, "ip daddr @"+setHost, p.Deny)
			d.deny(chainForward, "fwd-learn-guard", "ip daddr @"+setNever, p.Deny)
			addLearned(d, p, up)
		}
	}
}

// addLearned opens learned addresses: to everything, or, while the name
// gate checks, only on the ports it leaves at address level (the checked
// ports never reach forward: nat-name redirects them to the gate).
func addLearned(d *document, p policy.Policy, up string) {
	m := up + " ip daddr @" + setLearned
	if p.GatesLearned() {
		ports := p.AddressPorts()
		if len(ports) == 0 {
			return
		}
		m = fmt.Sprintf("%s tcp dport { %s } ip daddr @%s", up, portSet(ports), setLearned)
	}
	d.add(chainForward, "fwd-learned", m, "accept")
}

// portSet is ports as the inside of an anonymous nft set: "80, 443".
func portSet(ports []uint16) string {
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(int(p))
	}
	return strings.Join(s, ", ")
}
