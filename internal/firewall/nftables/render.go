package nftables

import (
	"fmt"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// RenderDoc returns the nft -f transaction for p: table inet rbm with IPv4
// filtered as the iptables backend does and IPv6 dropped. p and ifs are
// trusted, validated values: nothing is checked or escaped here. The output
// is deterministic.
func RenderDoc(p policy.Policy, ifs firewall.Interfaces) string {
	return build(p, ifs).String()
}

// RuleIDs lists every rule id ("rbm:...") RenderDoc renders for p, in
// document order. Ids do not depend on interface names.
func RuleIDs(p policy.Policy) []string {
	return build(p, firewall.IDInterfaces).ids()
}

// build is the single description of the ruleset that both the text and the
// id list come from. Rules are added in the order of the iptables backend,
// so both list the same ids in the same order.
func build(p policy.Policy, ifs firewall.Interfaces) document {
	d := document{header: header(p), chains: ownChains(), sets: sets(p, ifs)}
	addIngress(&d, p, ifs)
	addForward(&d, p, ifs)
	addBottleForward(&d, p, ifs)
	addEgress(&d, p, ifs)
	addNAT(&d, p, ifs)
	return d
}

// baseChains are the hooks of table inet rbm, filter ones dropping by
// default, nat ones accepting (they only translate).
func baseChains() []chain {
	return []chain{
		{chainInput, "type filter hook input priority filter; policy drop;"},
		{chainForwardBase, "type filter hook forward priority filter; policy drop;"},
		{chainOutput, "type filter hook output priority filter; policy drop;"},
		{chainPrerouting, "type nat hook prerouting priority dstnat; policy accept;"},
		{chainPostrouting, "type nat hook postrouting priority srcnat; policy accept;"},
	}
}

// ownChains are the base chains plus the regular chains they jump to.
func ownChains() []chain {
	return append(baseChains(), chain{name: chainIngress}, chain{name: chainForward}, chain{name: chainEgress})
}

// header names the mode, so a dumped document says what it was rendered for.
func header(p policy.Policy) []string {
	entry := "off"
	if p.Entry != nil {
		entry = fmt.Sprintf("%d->%d", p.Entry.WorkstationPort, p.Entry.EnclavePort)
	}
	learn := "off"
	if p.Learns() {
		learn = fmt.Sprintf("%ds/%d", lifetimeSeconds(p), p.Learn.Max)
	}
	return []string{
		"rbm ruleset; load with nft -f: one transaction replacing table inet rbm's rules (learn4 kept)",
		fmt.Sprintf("egress=%s dns=%s intercept=%s entry=%s learn=%s", p.Egress, p.DNS, p.Intercept, entry, learn),
	}
}

// addIngress fills input: the sentry accepts only DNS queries from the
// bottle; IPv6 only on loopback.
func addIngress(d *document, p policy.Policy, ifs firewall.Interfaces) {
	d.add(chainInput, "v6-in-loopback", `meta nfproto ipv6 iifname "lo"`, "accept")
	d.add(chainInput, "v6-in-drop", "meta nfproto ipv6", "drop")
	d.add(chainInput, "in-jump", "", "jump "+chainIngress)
	d.add(chainIngress, "in-loopback", `iifname "lo"`, "accept")
	d.add(chainIngress, "in-established", "ct state established,related", "accept")
	d.add(chainIngress, "in-invalid", "ct state invalid", "drop")
	if p.DNS != policy.DNSOff {
		for _, proto := range []string{"udp", "tcp"} {
			m := fmt.Sprintf("iifname %q ip saddr %s ip daddr %s %s dport 53", ifs.Enclave, p.BottleIP, p.SentryIP, proto)
			d.add(chainIngress, "in-dns-"+proto, m, "accept")
		}
	}
	if p.GateChecks() {
		// Only what nat-name redirected: the bottle cannot dial the gate.
		m := fmt.Sprintf("iifname %q ip saddr %s tcp dport %d ct status dnat", ifs.Enclave, p.BottleIP, firewall.GatePort)
		d.add(chainIngress, "in-gate", m, "accept")
	}
	d.add(chainIngress, "in-enclave-drop", fmt.Sprintf("iifname %q", ifs.Enclave), "drop")
	d.add(chainIngress, "in-drop", "", "drop")
}

// addEgress fills output: the sentry itself talks only to its upstream
// resolver, besides replies (the rejects rbm-forward sends are RELATED).
func addEgress(d *document, p policy.Policy, ifs firewall.Interfaces) {
	d.add(chainOutput, "v6-out-loopback", `meta nfproto ipv6 oifname "lo"`, "accept")
	d.add(chainOutput, "v6-out-drop", "meta nfproto ipv6", "drop")
	d.add(chainOutput, "out-jump", "", "jump "+chainEgress)
	d.add(chainEgress, "out-loopback", `oifname "lo"`, "accept")
	d.add(chainEgress, "out-established", "ct state established,related", "accept")
	if p.DNS != policy.DNSOff {
		for _, proto := range []string{"udp", "tcp"} {
			m := fmt.Sprintf("oifname %q ip daddr %s %s dport 53", ifs.Uplink, p.Upstream, proto)
			d.add(chainEgress, "out-dns-"+proto, m, "accept")
		}
	}
	// The gate's own connections: marked sockets, on the checked ports
	// only, to what it may have been redirected for.
	gate := fmt.Sprintf("oifname %q tcp dport { %s } meta mark %#x", ifs.Uplink, portSet(p.Gate.Ports), firewall.GateMark)
	if p.GatesCIDRs() {
		d.add(chainEgress, "out-gate-cidrs", fmt.Sprintf("%s ip daddr != %s ip daddr @%s", gate, policy.LinkLocal, setAllowed), "accept")
	}
	if p.GatesLearned() {
		d.add(chainEgress, "out-gate", fmt.Sprintf("%s ip daddr @%s ip daddr != @%s", gate, setLearned, setNever), "accept")
	}
	d.add(chainEgress, "out-drop", "", "drop")
}
