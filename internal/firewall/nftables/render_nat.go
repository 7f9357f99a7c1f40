package nftables

import (
	"fmt"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// addNAT fills the nat chains: DNS interception, the entry port and the
// bottle's masquerade. The chains always exist, so loading a new document
// (which flushes them) also removes nat rules of an older one.
func addNAT(d *document, p policy.Policy, ifs firewall.Interfaces) {
	if p.InterceptsDNS() {
		for _, proto := range []string{"udp", "tcp"} {
			m := fmt.Sprintf("iifname %q ip saddr %s %s dport 53", ifs.Enclave, p.BottleIP, proto)
			d.add(chainPrerouting, "nat-dns-"+proto, m, fmt.Sprintf("dnat ip to %s:53", p.SentryIP))
		}
	}
	if p.GateChecks() {
		// The bottle's TCP to a learned address on a checked port goes to
		// the name gate, exactly when forward would otherwise accept it as
		// learned: not an allowed CIDR, not in the guard. learn4 is looked
		// up first, so a miss stops before the other lookups.
		m := fmt.Sprintf("iifname %q ip saddr %s tcp dport { %s } ip daddr @%s ip daddr != @%s ip daddr != @%s",
			ifs.Enclave, p.BottleIP, portSet(p.Gate.Ports), setLearned, setAllowed, setNever)
		d.add(chainPrerouting, "nat-name", m, fmt.Sprintf("redirect to :%d", firewall.GatePort))
	}
	if p.Entry != nil {
		addEntryNAT(d, p, ifs)
	}
	if p.Egress != policy.EgressNone {
		d.add(chainPostrouting, "nat-masq", fmt.Sprintf("ip saddr %s oifname %q", p.BottleIP, ifs.Uplink), "masquerade")
	}
}

// addEntryNAT forwards the workstation port to the bottle, as the iptables
// backend does: only traffic arriving on the uplink (from its gateway when
// the port is published on loopback only) is DNATed, and the masquerade
// toward the enclave makes the bottle answer through the sentry.
func addEntryNAT(d *document, p policy.Policy, ifs firewall.Interfaces) {
	e := p.Entry
	src := ""
	if e.HostOnly && ifs.UplinkGateway.IsValid() {
		src = fmt.Sprintf(" ip saddr %s", ifs.UplinkGateway)
	}
	d.add(chainPrerouting, "nat-entry",
		fmt.Sprintf("iifname %q%s tcp dport %d", ifs.Uplink, src, e.WorkstationPort),
		fmt.Sprintf("dnat ip to %s:%d", p.BottleIP, e.EnclavePort))
	d.add(chainPostrouting, "nat-entry-masq",
		fmt.Sprintf("ip daddr %s oifname %q tcp dport %d ct status dnat", p.BottleIP, ifs.Enclave, e.EnclavePort),
		"masquerade")
}
