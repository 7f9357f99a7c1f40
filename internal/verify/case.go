package verify

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/probe"
)

// Case is one attempt from the bottle and what must come of it.
type Case struct {
	Name   string     `json:"name"`  // group/name, stable
	Tried  string     `json:"tried"` // what was tried, for humans
	Spec   probe.Spec `json:"spec"`
	Expect Expect     `json:"expect"`
	// FromSentry: the probe runs in the sentry's own namespace, as the
	// sentry (its own egress), not from the bottle.
	FromSentry bool `json:"from_sentry,omitempty"`
}

// Cases returns the battery for t, every expectation derived from the
// policy. Pure: the same target always gives the same cases.
func Cases(t Target) []Case {
	var cs []Case
	for _, group := range []func(Target) []Case{learnCases, gateCases, requestCases, dnsCases, egressCases, sentryCases, ownEgressCases, escapeCases} {
		cs = append(cs, group(t)...)
	}
	for i := range cs {
		if t.Policy.Deny == policy.DenyReject {
			cs[i].Expect = rejecting(cs[i].Expect)
		}
		cs[i].Expect.LeftBy = t.leftBy(cs[i])
	}
	return cs
}

// masqRule counts each new flow of the bottle's out of the uplink (the
// nat table sees the first packet of every flow it translates).
const masqRule = "rbm:nat-masq"

// leftBy is the rule that would show a dropped case's flow leaving the
// uplink: only with egress on (else no such rule is rendered) and for
// probes from ordinary sockets, whose packets are valid new flows that the
// nat table sees (a forged or invalid raw packet would not cross it). An
// HTTP request opens such a flow too, and so does a connect chained after
// a query to the sentry (which itself never crosses the uplink).
func (t Target) leftBy(c Case) string {
	if t.Policy.Egress == policy.EgressNone || !ordinary(c.Spec) || !slices.Equal(c.Expect.Outcomes, dropped) {
		return ""
	}
	return masqRule
}

// ordinary reports whether s and every probe chained after it use
// ordinary sockets (a resolve through the sentry, then a connect or a
// request), whose flows the nat table sees.
func ordinary(s probe.Spec) bool {
	plain := []probe.Kind{probe.KindTCP, probe.KindUDP, probe.KindICMP, probe.KindDNS, probe.KindHTTP, probe.KindHTTPS}
	if !slices.Contains(plain, s.Kind) {
		return false
	}
	return s.Then == nil || ordinary(*s.Then)
}

// rejecting widens a "dropped" expectation whose deciding rule rejects:
// the bottle then sees a reset or an ICMP error instead of silence. A
// refusal counts only when the sentry's reject rules moved, so one from a
// far host never passes for the sentry's.
func rejecting(e Expect) Expect {
	deciding := append(slices.Clone(e.Moved), e.AnyMoved...)
	if !slices.Equal(e.Outcomes, dropped) || !slices.ContainsFunc(deciding, firewall.FailsFast) {
		return e
	}
	e.Outcomes = append(slices.Clone(dropped), probe.Refused)
	e.RefusedBy = []string{"rbm:reject-tcp", "rbm:reject-other"}
	e.Text = strings.Replace(e.Text, "dropped", "refused", 1) + " (RBRN_UPLINK_DENY=reject)"
	return e
}

// allowRule is the id of the rule that accepts traffic to a by its
// address, if any.
func (t Target) allowRule(a string) string {
	addr, err := parseAddr(a)
	if err != nil {
		return ""
	}
	if d := t.decide(addr); d.Allowed() {
		return firewall.IDPrefix + d.Rule
	}
	return ""
}

// decide is policy.Decide for a TCP connection to addr on a port no rule
// singles out, with nothing learned.
func (t Target) decide(addr netip.Addr) policy.Decision {
	return t.Policy.Decide(policy.Flow{Dst: addr, Proto: "tcp", Port: 9}, policy.Env{UplinkPrefix: t.UplinkPrefix})
}

// dropRule is the rule that drops forwarded traffic nothing allowed.
const dropRule = "rbm:fwd-drop"

// guardRule drops what no learned address may open, ahead of the learned
// accept, when the sentry learns.
const guardRule = "rbm:fwd-learn-guard"

// dropRuleFor is the rule that drops forwarded traffic to a, which nothing
// allows by address: the learned-address guard when the sentry learns and
// a is in one of its ranges (the uplink's own subnet, CGNAT, ...), else
// fwd-drop (policy.Decide, with nothing learned).
func (t Target) dropRuleFor(a netip.Addr) string {
	if d := t.decide(a); !d.Allowed() {
		return firewall.IDPrefix + d.Rule
	}
	return dropRule
}

// reach is the expectation for a probe to addr that the policy decides:
// through (with the allow rule moving) or dropped (with the drop moving).
func (t Target) reach(addrText string, through []probe.Outcome, text string) Expect {
	addr, err := parseAddr(addrText)
	if err == nil && t.reaches(addr) {
		return Expect{Text: "reaches " + text, Outcomes: through, Moved: nonEmpty(t.allowRule(addrText)), Needs: uplinkNeed(addr)}
	}
	return Expect{Text: "dropped by the sentry", Outcomes: dropped, Moved: []string{t.dropRuleFor(addr)}}
}

func nonEmpty(ids ...string) []string {
	var out []string
	for _, id := range ids {
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}
