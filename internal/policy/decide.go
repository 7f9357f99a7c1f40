package policy

import (
	"fmt"
	"net/netip"
	"slices"
)

// Verdict is what a decision says of a connection.
type Verdict string

// Verdicts.
const (
	Pass   Verdict = "pass"
	Refuse Verdict = "refuse"
)

// Decision is a verdict with the id of the rule that decided it (the id
// its counter and events carry, without the "rbm:" prefix) and a reason a
// person can read.
type Decision struct {
	Verdict Verdict
	Rule    string
	Reason  string
}

// Allowed reports whether d lets the connection pass.
func (d Decision) Allowed() bool { return d.Verdict == Pass }

// Rule ids of the name gate's decisions.
const (
	GatePass      = "gate-pass"      // the name is allowed and its own answer carried the address
	GateName      = "gate-name"      // the name is not allowed
	GateUnlearned = "gate-unlearned" // the address was not (or no longer) learned for that name
	GateNoName    = "gate-no-name"   // TLS without SNI
	GateECH       = "gate-ech"       // an encrypted ClientHello (RBRN_UPLINK_NAME_ECH=refuse)
	GateUnread    = "gate-unread"    // not TLS or HTTP, malformed, smuggling, too large or too slow
	GateBusy      = "gate-busy"      // the gate holds its most connections
)

// GateRules lists the gate's rule ids, passes first.
var GateRules = []string{GatePass, GateName, GateUnlearned, GateNoName, GateECH, GateUnread, GateBusy}

// Answers is the learned state a name decision reads: whether an answer
// of the sentry's resolver for name (the name the bottle asked, CNAME
// chain included) carried addr, and the address is still learned.
type Answers interface {
	Carried(name string, addr netip.Addr) bool
}

// DecideName decides a connection to dst that the gate read name from
// ("" when the client sent none); ech says the ClientHello was encrypted.
// It is pure: the learned state is an input.
func (p Policy) DecideName(dst netip.AddrPort, name string, ech bool, learned Answers) Decision {
	switch {
	case name == "":
		return deny(GateNoName, "no name: TLS without SNI cannot be checked")
	case ech && !p.Gate.AllowECH:
		return deny(GateECH, fmt.Sprintf("encrypted ClientHello (outer name %s): the real name is hidden (RBRN_UPLINK_NAME_ECH=refuse)", name))
	case !p.Resolves(name):
		return deny(GateName, fmt.Sprintf("name %s not allowed", name))
	case !slices.Contains(p.Gate.Ports, dst.Port()):
		return deny(GateUnread, fmt.Sprintf("port %d is not a checked port", dst.Port()))
	case p.GatesCIDRs() && p.inAllowedCIDR(dst.Addr()):
		return Decision{Verdict: Pass, Rule: GatePass, Reason: fmt.Sprintf("%s is allowed and %s is in an allowed CIDR", name, dst.Addr())}
	case !learned.Carried(name, dst.Addr()):
		return deny(GateUnlearned, fmt.Sprintf("%s not learned for %s: no answer of the sentry for that name carried it", dst.Addr(), name))
	}
	return Decision{Verdict: Pass, Rule: GatePass, Reason: fmt.Sprintf("%s is allowed and its answer carried %s", name, dst.Addr())}
}

func deny(rule, reason string) Decision {
	return Decision{Verdict: Refuse, Rule: rule, Reason: reason}
}

// inAllowedCIDR reports whether a is in one of the allowed CIDRs.
func (p Policy) inAllowedCIDR(a netip.Addr) bool {
	return slices.ContainsFunc(p.AllowedCIDRs, func(c netip.Prefix) bool { return c.Contains(a) })
}
