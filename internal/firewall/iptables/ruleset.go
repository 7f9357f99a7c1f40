package iptables

import (
	"fmt"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// rule is one -A line: the match, then the comment carrying its id, then the
// target. Keeping the id apart from the text lets RuleIDs list ids without
// parsing what was rendered.
type rule struct {
	chain  string
	id     string
	match  string // may be empty
	target string // "ACCEPT", "DNAT --to-destination ...", ...
}

// chain is a chain declaration; policy is "-" for a user-defined chain.
type chain struct {
	name   string
	policy string
}

// table is one *table section of an iptables-restore document.
type table struct {
	name   string
	chains []chain
	rules  []rule
	logged map[string]bool // denials whose log twin is in place
}

// newTable declares the built-in chains with one policy, then our own chains.
func newTable(name, policy string, builtins []string, own ...string) *table {
	t := &table{name: name}
	for _, c := range builtins {
		t.chains = append(t.chains, chain{c, policy})
	}
	for _, c := range own {
		t.chains = append(t.chains, chain{c, "-"})
	}
	return t
}

// add appends a rule; ids are given without the "rbm:" prefix. The first
// rule of a denial gets its log twin just before it, with the same match.
func (t *table) add(chain, id, match, target string) {
	if firewall.IsDenial(id) && !t.logged[id] {
		if t.logged == nil {
			t.logged = map[string]bool{}
		}
		t.logged[id] = true
		limit := fmt.Sprintf("-m limit --limit %d/sec --limit-burst %d", firewall.LogRate, firewall.LogBurst)
		nflog := fmt.Sprintf("NFLOG --nflog-prefix %s%s --nflog-group %d --nflog-size %d", idPrefix, id, firewall.LogGroup, firewall.LogSnap)
		t.rules = append(t.rules, rule{chain: chain, id: firewall.LogID(id), match: joinMatch(match, limit), target: nflog})
	}
	t.rules = append(t.rules, rule{chain: chain, id: id, match: match, target: target})
}

// deny appends denial id: a drop, or with policy.DenyReject a jump to
// RBM-REJECT, which answers TCP with a reset and the rest with ICMP
// administratively prohibited (declared on first use).
func (t *table) deny(in, id, match string, how policy.Deny) {
	if how != policy.DenyReject || !firewall.FailsFast(id) {
		t.add(in, id, match, "DROP")
		return
	}
	if !slices.Contains(t.chains, chain{chainReject, "-"}) {
		t.chains = append(t.chains, chain{chainReject, "-"})
		t.add(chainReject, "reject-tcp", "-p tcp", "REJECT --reject-with tcp-reset")
		t.add(chainReject, "reject-other", "", "REJECT --reject-with icmp-admin-prohibited")
	}
	t.add(in, id, match, chainReject)
}

func joinMatch(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

// write renders the section in iptables-restore syntax, COMMIT included.
func (t *table) write(b *strings.Builder) {
	fmt.Fprintf(b, "*%s\n", t.name)
	for _, c := range t.chains {
		fmt.Fprintf(b, ":%s %s [0:0]\n", c.name, c.policy)
	}
	for _, r := range t.rules {
		b.WriteString(r.String())
		b.WriteByte('\n')
	}
	b.WriteString("COMMIT\n")
}

// String renders the rule as an -A line with its comment before the target,
// the position iptables-save prints it in.
func (r rule) String() string {
	parts := []string{"-A", r.chain}
	if r.match != "" {
		parts = append(parts, r.match)
	}
	parts = append(parts, "-m comment --comment", `"`+idPrefix+r.id+`"`, "-j", r.target)
	return strings.Join(parts, " ")
}

// document is a whole iptables-restore input: header comments, then tables.
type document struct {
	header []string
	tables []*table
}

// String renders the document. Without --noflush, iptables-restore replaces
// every table named here in one step.
func (d document) String() string {
	var b strings.Builder
	for _, h := range d.header {
		fmt.Fprintf(&b, "# %s\n", h)
	}
	for _, t := range d.tables {
		t.write(&b)
	}
	return b.String()
}

// ids lists the ids of every rule, prefixed, in document order.
func (d document) ids() []string {
	var out []string
	for _, t := range d.tables {
		for _, r := range t.rules {
			out = append(out, idPrefix+r.id)
		}
	}
	return out
}

// Built-in chains of the two tables we write.
var (
	filterBuiltins = []string{"INPUT", "FORWARD", "OUTPUT"}
	natBuiltins    = []string{"PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"}
)
