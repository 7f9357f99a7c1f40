package firewall

import (
	"net/netip"
	"time"
)

// Chain is a chain's role in the sentry's ruleset. Backends name roles
// their own way (iptables "RBM-FORWARD" in table filter, nftables
// "rbm-forward" in table inet rbm); the model and its ids know only roles.
type Chain int

// The hooks (base chains), then the chains of our own they jump to.
const (
	HookInput Chain = iota
	HookForward
	HookOutput
	HookPrerouting  // nat
	HookPostrouting // nat
	HookNATOutput   // nat: the sentry's own new connections
	ChainIngress    // the sentry's own input, past loopback
	ChainForward    // every new packet leaving the enclave
	ChainEgress     // the sentry's own output
	ChainReject     // denials that fail fast (RBRN_UPLINK_DENY=reject)
)

// IsNAT reports whether c translates addresses rather than filters.
func (c Chain) IsNAT() bool {
	return c == HookPrerouting || c == HookPostrouting || c == HookNATOutput
}

// IsHook reports whether c is a base chain the kernel calls.
func (c Chain) IsHook() bool { return c <= HookNATOutput }

// Set is the role of a named address set. Backends name them ("rbm-allow4"
// as an ipset, "allow4" in table inet rbm); what fills them is the policy's.
type Set int

const (
	SetAllowed Set = iota // RBRN_UPLINK_ALLOWED_CIDRS, with element counters
	SetLearned            // addresses the resolver learned, with timeouts
	SetNever              // what a learned address never opens
	SetHost               // the host's own addresses (policy.HostAddrs)
)

// TermKind is what one match term tests.
type TermKind int

const (
	InIface       TermKind = iota // packet arrived on Iface
	OutIface                      // packet leaves on Iface
	Src                           // source is Addr (negated by Not)
	Dst                           // destination is Addr or Prefix (negated by Not)
	DstRanges                     // destination in Ranges (an anonymous set, or one named after the rule)
	DstSet                        // destination in the named Set (negated by Not); NoCount leaves element counters alone
	Proto                         // layer-4 protocol is Proto
	Port                          // Proto with destination port Ports[0]
	PortList                      // Proto with destination port among Ports
	CtEstablished                 // conntrack state established or related
	CtInvalid                     // conntrack state invalid
	CtDNAT                        // the connection was destination-NATed
	Mark                          // the socket's mark is Mark
	Limit                         // at most LogRate packets a second, LogBurst at once
)

// Term is one typed test of a rule's match; which fields count depends on
// Kind. No backend syntax: translators write each kind their own way, in
// the order the rule lists its terms.
type Term struct {
	Kind    TermKind
	Not     bool
	Iface   string
	Addr    netip.Addr
	Prefix  netip.Prefix
	Ranges  []netip.Prefix
	Name    string // DstRanges: the id of the guard the ranges are
	Set     Set
	NoCount bool
	Proto   string // "tcp" or "udp"
	Ports   []uint16
	Mark    uint32
}

// VerdictKind is what a matching rule does with the packet.
type VerdictKind int

const (
	Accept VerdictKind = iota
	Drop
	Jump        // to Chain
	RejectPort  // ICMP port unreachable
	RejectReset // TCP reset
	RejectAdmin // ICMP administratively prohibited
	Log         // to LogGroup, prefixed with the denial's id (Of)
	DNAT        // to To
	Redirect    // to the sentry's own port Port
	Masquerade  // source becomes the outgoing interface's address
)

// Verdict is a rule's action; which fields count depends on Kind.
type Verdict struct {
	Kind  VerdictKind
	Chain Chain
	Of    string // Log: the denial's id, without IDPrefix
	To    netip.AddrPort
	Port  uint16
}

// Rule is one rule of the model: its id (without IDPrefix), the chain role
// it sits in, whether it filters IPv6 instead of IPv4, its match (all terms
// hold; none matches everything) and its verdict.
type Rule struct {
	ID      string
	Chain   Chain
	IPv6    bool
	Match   []Term
	Verdict Verdict
}

// Fill is what a named set holds: its elements or, for the learned set
// (which the resolver fills), its shape.
type Fill struct {
	Set      Set
	Elements []netip.Prefix
	Lifetime time.Duration // SetLearned: how long an element lives
	Max      int           // SetLearned: how many elements it holds
}

// Model is a whole ruleset, backend-neutral: the chains in declaration
// order, the rules in the order they are appended (per chain, the order
// packets meet them) and the contents of every named set. A backend may
// leave out the sets no rule uses (Uses).
type Model struct {
	Chains []Chain
	Rules  []Rule
	Sets   []Fill
}

// Uses reports whether a rule matches on set s.
func (m Model) Uses(s Set) bool {
	for _, r := range m.Rules {
		for _, t := range r.Match {
			if t.Kind == DstSet && t.Set == s {
				return true
			}
		}
	}
	return false
}

// Fill returns the contents of set s, if the model has it.
func (m Model) Fill(s Set) (Fill, bool) {
	for _, f := range m.Sets {
		if f.Set == s {
			return f, true
		}
	}
	return Fill{}, false
}

// IDs lists every rule id, prefixed with IDPrefix, in model order.
func (m Model) IDs() []string {
	out := make([]string, 0, len(m.Rules))
	for _, r := range m.Rules {
		out = append(out, IDPrefix+r.ID)
	}
	return out
}
