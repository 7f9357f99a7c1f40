package nftables

import (
	"fmt"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// RenderDoc returns the nft -f transaction for p: table inet rbm with the
// rule model's IPv4 rules and IPv6 dropped. p and ifs are trusted,
// validated values: nothing is checked or escaped here. The output is
// deterministic.
func RenderDoc(p policy.Policy, ifs firewall.Interfaces) string {
	return build(p, ifs).String()
}

// RuleIDs lists every rule id ("rbm:...") RenderDoc renders for p, in
// document order. Ids do not depend on interface names.
func RuleIDs(p policy.Policy) []string {
	return firewall.Build(p, firewall.IDInterfaces).IDs()
}

// build translates the rule model (firewall.Build, where every rule, its
// order and every set's contents are decided).
func build(p policy.Policy, ifs firewall.Interfaces) document {
	m := firewall.Build(p, ifs)
	chains, rules := translate(m)
	return document{header: header(p), chains: chains, sets: sets(m), rules: rules}
}

// header names the mode, so a dumped document says what it was rendered for.
func header(p policy.Policy) []string {
	entry := "off"
	if p.Entry != nil {
		entry = fmt.Sprintf("%d->%d", p.Entry.WorkstationPort, p.Entry.EnclavePort)
	}
	learn := "off"
	if p.Learns() {
		learn = fmt.Sprintf("%ds/%d", lifetimeSeconds(p.Learn.Lifetime), p.Learn.Max)
	}
	return []string{
		"rbm ruleset; load with nft -f: one transaction replacing table inet rbm's rules (learn4 kept)",
		fmt.Sprintf("egress=%s dns=%s intercept=%s entry=%s learn=%s", p.Egress, p.DNS, p.Intercept, entry, learn),
	}
}
