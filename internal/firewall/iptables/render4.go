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
	return renderIPv4(p, firewall.Build(p, ifs))
}

// renderIPv4 translates the rule model (firewall.Build, where every rule
// and its order are decided); p only labels the document.
func renderIPv4(p policy.Policy, m firewall.Model) string {
	return document{header: header(p), tables: []*table{filterTable(m, false), natTable(m)}}.String()
}

// RuleIDs lists every rule id ("rbm:...") that RenderIPv4 renders for p, in
// document order. Ids do not depend on interface names; the uplink's
// subnet, which the sentry always knows, is assumed known.
func RuleIDs(p policy.Policy) []string {
	m := firewall.Build(p, firewall.IDInterfaces)
	return document{tables: []*table{filterTable(m, false), natTable(m)}}.ids()
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
