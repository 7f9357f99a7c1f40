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
	addGateNAT(d, p, ifs)
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

// addGateNAT sends the bottle's TCP on the checked ports to the name gate,
// exactly where forward would otherwise accept it without a name, as the
// iptables backend does: an allowed CIDR (RBRN_UPLINK_NAME_CHECK=all; never
// link-local), and a learned address that is neither an allowed CIDR nor
// in the guard. learn4 is looked up first, so a miss stops there.
func addGateNAT(d *document, p policy.Policy, ifs firewall.Interfaces) {
	from := fmt.Sprintf("iifname %q ip saddr %s tcp dport { %s }", ifs.Enclave, p.BottleIP, portSet(p.Gate.Ports))
	to := fmt.Sprintf("redirect to :%d", firewall.GatePort)
	if p.GatesCIDRs() {
		d.add(chainPrerouting, "nat-name-cidrs", fmt.Sprintf("%s ip daddr != %s ip daddr @%s", from, policy.LinkLocal, setAllowed), to)
	}
	if p.GatesLearned() {
		d.add(chainPrerouting, "nat-name", fmt.Sprintf("%s ip daddr @%s ip daddr != @%s ip daddr != @%s", from, setLearned, setAllowed, setNever), to)
	}
}
