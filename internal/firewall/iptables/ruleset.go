package iptables

import (
	"fmt"
	"strings"
)

// rule is one translated rule of the model, an -A line: the match, then
// the comment carrying its id, then the target.
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
	natBuiltins = []string{"PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"}
)
