package iptables

import (
	"fmt"
	"github.com/recipe-bottle/rbm/internal/firewall"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// buildNAT renders the nat table: DNS interception, the entry port and the
// bottle's masquerade. It is always written, even empty, so loading a new
// ruleset also removes nat rules of an older one.
func buildNAT(p policy.Policy, ifs firewall.Interfaces) *table {
	t := newTable("nat", "ACCEPT", natBuiltins)
	if p.InterceptsDNS() {
		for _, proto := range []string{"udp", "tcp"} {
			m := fmt.Sprintf("-i %s -s %s -p %s -m %s --dport 53", ifs.Enclave, p.BottleIP, proto, proto)
			t.add("PREROUTING", "nat-dns-"+proto, m, fmt.Sprintf("DNAT --to-destination %s:53", p.SentryIP))
		}
	}
	addGateNAT(t, p, ifs)
	if p.Entry != nil {
		addEntryNAT(t, p, ifs)
	}
	if p.Egress != policy.EgressNone {
		t.add("POSTROUTING", "nat-masq", fmt.Sprintf("-s %s -o %s", p.BottleIP, ifs.Uplink), "MASQUERADE")
	}
	return t
}

// addEntryNAT forwards the workstation port to the bottle. Only traffic
// arriving on the uplink is DNATed, never the sentry's or the bottle's own;
// the masquerade toward the enclave makes the bottle answer through the
// sentry whatever its routes say.
//
// When the workstation port is published on loopback only, the entry is
// also limited to the uplink's gateway: Podman's port forward (and the
// host itself) arrives from there, while other containers and hosts on the
// uplink network would otherwise reach the bottle's service by the
// sentry's own address, whatever the publish address says.
func addEntryNAT(t *table, p policy.Policy, ifs firewall.Interfaces) {
	e := p.Entry
	src := ""
	if e.HostOnly && ifs.UplinkGateway.IsValid() {
		src = fmt.Sprintf(" -s %s", ifs.UplinkGateway)
	}
	t.add("PREROUTING", "nat-entry",
		fmt.Sprintf("-i %s%s -p tcp -m tcp --dport %d", ifs.Uplink, src, e.WorkstationPort),
		fmt.Sprintf("DNAT --to-destination %s:%d", p.BottleIP, e.EnclavePort))
	t.add("POSTROUTING", "nat-entry-masq",
		fmt.Sprintf("-d %s -o %s -p tcp -m tcp --dport %d -m conntrack --ctstate DNAT", p.BottleIP, ifs.Enclave, e.EnclavePort),
		"MASQUERADE")
}

// addGateNAT sends the bottle's TCP on the checked ports to the name gate,
// exactly where FORWARD would otherwise accept it without a name: an
// allowed CIDR (RBRN_UPLINK_NAME_CHECK=all; never link-local, which
// fwd-linklocal drops first), and a learned address that is neither an
// allowed CIDR nor in the guard (fwd-learn-guard drops those). Lookups
// here leave the sets' element counters alone: those count forwarding.
func addGateNAT(t *table, p policy.Policy, ifs firewall.Interfaces) {
	from := fmt.Sprintf("-i %s -s %s -p tcp -m multiport --dports %s", ifs.Enclave, p.BottleIP, portList(p.Gate.Ports))
	to := fmt.Sprintf("REDIRECT --to-ports %d", firewall.GatePort)
	if p.GatesCIDRs() {
		t.add("PREROUTING", "nat-name-cidrs", fmt.Sprintf("%s ! -d %s -m set --match-set %s dst ! --update-counters", from, policy.LinkLocal, setAllowed), to)
	}
	if p.GatesLearned() {
		m := fmt.Sprintf("%s -m set --match-set %s dst ! --update-counters -m set ! --match-set %s dst ! --update-counters -m set ! --match-set %s dst ! --update-counters",
			from, setLearned, setAllowed, setNever)
		t.add("PREROUTING", "nat-name", m, to)
	}
}
