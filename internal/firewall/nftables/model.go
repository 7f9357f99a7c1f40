package nftables

import (
	"fmt"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
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

// rule is one rule: match, counter, verdict, comment carrying the id.
// Keeping the id apart lets RuleIDs list ids without parsing text.
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
	logged  map[string]bool // denials whose log twin is in place
}

// add appends a rule; ids are given without the "rbm:" prefix. The first
// rule of a denial gets its log twin just before it, with the same match.
func (d *document) add(chain, id, match, verdict string) {
	if firewall.IsDenial(id) && !d.logged[id] {
		if d.logged == nil {
			d.logged = map[string]bool{}
		}
		d.logged[id] = true
		limit := fmt.Sprintf("limit rate %d/second burst %d packets", firewall.LogRate, firewall.LogBurst)
		log := fmt.Sprintf("log prefix %q group %d snaplen %d", firewall.IDPrefix+id, firewall.LogGroup, firewall.LogSnap)
		d.rules = append(d.rules, rule{chain: chain, id: firewall.LogID(id), match: joinMatch(match, limit), verdict: log})
	}
	d.rules = append(d.rules, rule{chain: chain, id: id, match: match, verdict: verdict})
}

// deny appends denial id: a drop, or with policy.DenyReject a jump to
// rbm-reject, which answers TCP with a reset and the rest with ICMP
// administratively prohibited (declared on first use).
func (d *document) deny(in, id, match string, how policy.Deny) {
	if how != policy.DenyReject || !firewall.FailsFast(id) {
		d.add(in, id, match, "drop")
		return
	}
	if !slices.Contains(d.chains, chain{name: chainReject}) {
		d.chains = append(d.chains, chain{name: chainReject})
		d.add(chainReject, "reject-tcp", "meta l4proto tcp", "reject with tcp reset")
		d.add(chainReject, "reject-other", "", "reject with icmpx type admin-prohibited")
	}
	d.add(in, id, match, "jump "+chainReject)
}

func joinMatch(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
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

// ids lists the ids of every rule, prefixed, in document order.
func (d document) ids() []string {
	out := make([]string, 0, len(d.rules))
	for _, r := range d.rules {
		out = append(out, firewall.IDPrefix+r.id)
	}
	return out
}
