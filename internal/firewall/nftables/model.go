package nftables

import (
	"fmt"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
)

// table is the one table rbm owns; "inet" so one table filters IPv4 and IPv6.
const (
	family    = "inet"
	tableName = "rbm"
	tableRef  = family + " " + tableName
)

// Chains: base chains hooked into the kernel, and regular chains of ours
// that the base chains jump to (the roles of iptables' RBM-* chains).
const (
	chainInput       = "input"
	chainForwardBase = "forward"
	chainOutput      = "output"
	chainPrerouting  = "prerouting"
	chainPostrouting = "postrouting"
	chainNATOutput   = "nat-output" // the sentry's own new connections
	chainIngress     = "rbm-ingress"
	chainForward     = "rbm-forward"
	chainEgress      = "rbm-egress"
	chainReject      = "rbm-reject" // denials that fail fast (RBRN_UPLINK_DENY=reject)
)

// Sets of the table.
const (
	setAllowed = "allow4" // RBRN_UPLINK_ALLOWED_CIDRS, interval, with element counters
	setLearned = "learn4" // addresses dnsmasq learned, with timeouts
	setNever   = "never4" // what a learned address never opens
	setHost    = "host4"  // the host's own addresses (policy.HostAddrs)
)

// chain is one chain declaration; spec is "" for a regular chain, else the
// base chain's "type ... hook ... priority ...; policy ...;".
type chain struct {
	name string
	spec string
}

// set is one set declaration and, unless keep, its elements (flushed and
// refilled on every load). A kept set is created when missing and otherwise
// left alone, so its elements survive a reload.
type set struct {
	name     string
	spec     string // "type ipv4_addr; flags interval; counter;"
	elements []string
	keep     bool
}

// rule is one translated rule of the model: match, counter, verdict,
// comment carrying the id.
type rule struct {
	chain   string
	id      string
	match   string // may be empty
	verdict string // "accept", "drop", "jump rbm-forward", "dnat ip to ...", ...
}

// document is one nft -f transaction: header comments, then the table's
// chains, sets and rules. It is loaded in one atomic step.
type document struct {
	header []string
	// replace deletes the whole table first (sets included): the lockdown
	// keeps nothing, not even learned addresses.
	replace bool
	chains  []chain
	sets    []set
	rules   []rule
}

// String renders the rule as an "add rule" command: every rule counts, and
// its comment is its id.
func (r rule) String() string {
	parts := []string{"add rule", tableRef, r.chain}
	if r.match != "" {
		parts = append(parts, r.match)
	}
	parts = append(parts, "counter", r.verdict, fmt.Sprintf("comment %q", firewall.IDPrefix+r.id))
	return strings.Join(parts, " ")
}

// String renders the transaction. Unless replace, "add table" creates the table when
// missing; "flush table" then removes every rule (and so every jump and
// set reference) but, measured on kernel 6.18 with nft 1.0.6, no set
// element. Chains are then (re)declared ("add chain" on an existing base
// chain updates its policy) and sets refilled; see apply.go for why this
// is not "delete table".
func (d document) String() string {
	var b strings.Builder
	for _, h := range d.header {
		fmt.Fprintf(&b, "# %s\n", h)
	}
	if d.replace {
		fmt.Fprintf(&b, "add table %s\ndelete table %s\nadd table %s\n", tableRef, tableRef, tableRef)
	} else {
		fmt.Fprintf(&b, "add table %s\nflush table %s\n", tableRef, tableRef)
	}
	for _, c := range d.chains {
		if c.spec == "" {
			fmt.Fprintf(&b, "add chain %s %s\n", tableRef, c.name)
		} else {
			fmt.Fprintf(&b, "add chain %s %s { %s }\n", tableRef, c.name, c.spec)
		}
	}
	for _, s := range d.sets {
		s.write(&b)
	}
	for _, r := range d.rules {
		b.WriteString(r.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// write declares the set and, unless it is kept, replaces its elements.
func (s set) write(b *strings.Builder) {
	fmt.Fprintf(b, "add set %s %s { %s }\n", tableRef, s.name, s.spec)
	if s.keep {
		return
	}
	fmt.Fprintf(b, "flush set %s %s\n", tableRef, s.name)
	if len(s.elements) > 0 {
		fmt.Fprintf(b, "add element %s %s { %s }\n", tableRef, s.name, strings.Join(s.elements, ", "))
	}
}
