package policy

import (
	"fmt"
	"net/netip"
	"slices"
)

// Intercepted is the verdict for the bottle's DNS that the sentry answers
// itself, whatever resolver it was sent to.
const Intercepted Verdict = "intercepted"

// Flow is a new connection or datagram from the bottle, as the sentry
// sees it before any rule.
type Flow struct {
	Dst   netip.Addr
	Proto string // "tcp", "udp", "icmp", or another IP protocol's name
	Port  uint16 // the destination port; 0 where there is none
	// Name and ECH are what the connection carries (TLS SNI, HTTP Host),
	// read only by the name gate: "" when none.
	Name string
	ECH  bool
}

// LearnedSet is the kernel's learned set: the addresses allowed names
// opened, still within their lifetime.
type LearnedSet interface {
	Holds(addr netip.Addr) bool
}

// Env is what a decision reads besides the policy and the flow.
type Env struct {
	// UplinkPrefix is the sentry's uplink subnet: no learned address opens it.
	UplinkPrefix netip.Prefix
	Learned      LearnedSet // nil: nothing learned
	Answers      Answers    // for the name gate; nil: no name carried anything
}

// Decide says what the sentry does with f, and which rule decides it: the
// same order as the rule model (DNS interception in nat first, then the
// bottle's forward chain, the name gate for learned addresses on checked
// ports). It is pure: the learned state is an input.
func (p Policy) Decide(f Flow, env Env) Decision {
	if d, ok := p.decideDNS(f); ok {
		return d
	}
	if f.Dst == p.SentryIP {
		return p.decideSentry(f)
	}
	switch {
	case p.Subnet.IsValid() && p.Subnet.Contains(f.Dst):
		return deny(RuleHairpin, fmt.Sprintf("%s is in the enclave: nothing is routed back into it", f.Dst))
	case LinkLocal.Contains(f.Dst):
		return deny(RuleLinkLocal, fmt.Sprintf("%s is link-local (cloud metadata): no setting opens it", f.Dst))
	}
	switch p.Egress {
	case EgressGlobal:
		return p.decideGlobal(f, env)
	case EgressAllowlist:
		for _, c := range p.AllowedCIDRs {
			if !c.Contains(f.Dst) {
				continue
			}
			if p.GatesCIDRs() && f.Proto == "tcp" && slices.Contains(p.Gate.Ports, f.Port) {
				return p.DecideName(netip.AddrPortFrom(f.Dst, f.Port), f.Name, f.ECH, noAnswers{})
			}
			return pass(AllowID(c), fmt.Sprintf("%s is in the allowed CIDR %s", f.Dst, c))
		}
		if p.Learns() {
			if d, ok := p.decideLearned(f, env); ok {
				return d
			}
		}
	}
	return deny(RuleDrop, fmt.Sprintf("%s: nothing allows it", f.Dst))
}

// Reaches reports whether the bottle's traffic to a passes on the address
// alone (an allowed CIDR, or global egress): not by learning, not by name.
func (p Policy) Reaches(a netip.Addr) bool {
	return p.Decide(Flow{Dst: a, Proto: "tcp", Port: addressProbePort}, Env{}).Allowed()
}

// addressProbePort is a port no rule singles out (not DNS, not checked by
// the gate unless configured so): Reaches is about the address.
const addressProbePort = 9

// decideDNS: port 53 is the sentry's resolver's, whoever it was sent to.
func (p Policy) decideDNS(f Flow) (Decision, bool) {
	if f.Port != 53 || (f.Proto != "udp" && f.Proto != "tcp") {
		return Decision{}, false
	}
	if p.InterceptsDNS() {
		return Decision{Verdict: Intercepted, Rule: DNSInterceptRule(f.Proto), Reason: "answered by the sentry's resolver"}, true
	}
	if f.Dst == p.SentryIP || p.Subnet.IsValid() && p.Subnet.Contains(f.Dst) {
		return Decision{}, false // the sentry's own, or fwd-hairpin, first
	}
	return deny(DNSRejectRule(f.Proto), "DNS to a resolver other than the sentry's"), true
}

// decideSentry: the sentry itself offers the bottle its resolver only.
func (p Policy) decideSentry(f Flow) Decision {
	if p.DNS != DNSOff && f.Port == 53 && (f.Proto == "udp" || f.Proto == "tcp") {
		return pass(DNSAnswerRule(f.Proto), "the sentry's resolver")
	}
	return deny(RuleEnclaveDrop, "the sentry offers the bottle nothing but DNS")
}

// decideLearned: the host's addresses, the guard, then the learned set, through the name gate
// where it checks.
func (p Policy) decideLearned(f Flow, env Env) (Decision, bool) {
	if d, ok := p.decideHost(f); ok {
		return d, true
	}
	for _, n := range p.NeverLearned(env.UplinkPrefix) {
		if n.Contains(f.Dst) {
			return deny(RuleLearnGuard, fmt.Sprintf("%s is in %s, which no resolved name opens", f.Dst, n)), true
		}
	}
	if env.Learned == nil || !env.Learned.Holds(f.Dst) {
		return Decision{}, false
	}
	if !p.GatesLearned() {
		return pass(RuleLearned, fmt.Sprintf("%s was learned from an allowed name", f.Dst)), true
	}
	if f.Proto == "tcp" && slices.Contains(p.Gate.Ports, f.Port) {
		answers := env.Answers
		if answers == nil {
			answers = noAnswers{}
		}
		return p.DecideName(netip.AddrPortFrom(f.Dst, f.Port), f.Name, f.ECH, answers), true
	}
	if f.Proto == "tcp" && slices.Contains(p.AddressPorts(), f.Port) {
		return pass(RuleLearned, fmt.Sprintf("%s was learned from an allowed name; port %d opens to any name", f.Dst, f.Port)), true
	}
	return Decision{}, false
}

// AllowID is the rule id (and counter id) of one allowed CIDR.
func AllowID(c netip.Prefix) string { return allowPrefix + c.String() }

type noAnswers struct{}

func (noAnswers) Carried(string, netip.Addr) bool { return false }

func pass(rule, reason string) Decision {
	return Decision{Verdict: Pass, Rule: rule, Reason: reason}
}
