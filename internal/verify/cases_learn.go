package verify

import (
	"fmt"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/probe"
)

// learnedRule accepts addresses the sentry's resolver opened.
const learnedRule = "rbm:fwd-learned"

// unresolved are the outcomes of a resolve-then-connect that got nowhere:
// the query answered without an address, refused, or lost, or the
// connection dropped. An error (the probe could not run) is not among them.
var unresolved = []probe.Outcome{probe.Answered, probe.Refused, probe.Timeout, probe.Unreachable, probe.Denied}

// learnCases: an address in no allowed CIDR opens only through the
// sentry's own answer for an allowed name, at once, and never through a
// forbidden name or another resolver. They need a learned stand-in:
// t.Learned is what t.LearnName resolves to.
func learnCases(t Target) []Case {
	if !t.Learned.IsValid() || t.LearnName == "" {
		return nil
	}
	closed := t.reach(t.Learned.String(), reachedTCP, "the learned server (its CIDR is allowed)")
	closed.UnlessLearned = t.Learned.String()
	cs := []Case{{
		Name:   "learn/before-resolving",
		Tried:  fmt.Sprintf("TCP connect %s before resolving %s", hostPort(t.Learned, 443), t.LearnName),
		Spec:   tcp(t.Learned, 443),
		Expect: closed,
	}, t.afterResolvingCase()}
	if h := t.HostAddr; h.IsValid() && t.HostName != "" {
		cs = append(cs, t.hostAnswerCase())
	}
	if t.Foreign.IsValid() && t.ForbiddenName != "" {
		cs = append(cs, Case{
			Name:   "learn/forbidden-name-via-foreign-resolver",
			Tried:  fmt.Sprintf("resolve %s @%s, connect to the answer:443", t.ForbiddenName, t.Foreign),
			Spec:   resolveTCP(t.Foreign.String(), t.ForbiddenName, 443),
			Expect: Expect{Text: "opens nothing: not resolved (NXDOMAIN, refused) or the connection dropped", Outcomes: unresolved, ForeignUntouched: t.Policy.InterceptsDNS()},
		})
	}
	return cs
}

// afterResolving is what a resolve-then-connect to the learned server
// must give: connected through the learned set when the sentry learns,
// else whatever the address alone gets (CIDR-only: resolving opens
// nothing), and no connection at all when the name does not resolve.
func (t Target) afterResolving() Expect {
	p := t.Policy
	switch {
	case !p.Resolves(t.LearnName):
		return Expect{Text: "not resolved (the name is not allowed, or DNS is off): nothing connects", Outcomes: unresolved}
	case p.Learns() && !t.reaches(t.Learned) && t.dropRuleFor(t.Learned) == guardRule:
		return Expect{Text: "dropped: the answer is in a range no learned address opens (here: the sentry's uplink subnet)",
			Outcomes: dropped, Moved: []string{guardRule}}
	case p.Learns() && !t.reaches(t.Learned):
		return Expect{Text: "connects: the sentry's answer opened the address", Outcomes: reachedTCP,
			Moved: []string{learnedRule, firewall.IDPrefix + firewall.LearnedID(t.Learned)}, Needs: append(upstreamNeed(t), uplinkNeed(t.Learned)...)}
	}
	e := t.reach(t.Learned.String(), reachedTCP, "the learned server (by its CIDR; resolving opens nothing)")
	if !t.reaches(t.Learned) {
		e.Text = "dropped: learning is off, resolving opens nothing"
	}
	return e
}

func resolveTCP(server, name string, port uint16) probe.Spec {
	return spec(probe.Spec{Kind: probe.KindResolveTCP, Server: server, Name: name, Target: portStr(port)})
}

// afterResolvingCase resolves the learned name and connects at once; while
// the name gate checks port 443 a connect alone proves nothing (the gate
// accepts first), so the case makes an HTTPS request for the name instead.
func (t Target) afterResolvingCase() Case {
	if t.gateChecks(443) && t.Policy.Resolves(t.LearnName) {
		return Case{
			Name:   "learn/after-resolving",
			Tried:  fmt.Sprintf("resolve %s @%s, HTTPS to it at the answer:443 at once", t.LearnName, t.Policy.SentryIP),
			Spec:   t.afterResolve(t.web("https", t.LearnName, 443)),
			Expect: t.learnedPass(),
		}
	}
	return Case{
		Name:   "learn/after-resolving",
		Tried:  fmt.Sprintf("resolve %s @%s, connect to the answer:443 at once", t.LearnName, t.Policy.SentryIP),
		Spec:   resolveTCP(t.Policy.SentryIP.String(), t.LearnName, 443),
		Expect: t.afterResolving(),
	}
}

// hostAnswerCase: an allowed name whose answer is the host's own address
// opens nothing: fwd-host refuses it before any learned accept (and the
// name gate never takes it), so the address decides, as if not learned.
func (t Target) hostAnswerCase() Case {
	e := Expect{Text: "not resolved (the name is not allowed, or DNS is off): nothing connects", Outcomes: unresolved}
	if t.Policy.Resolves(t.HostName) {
		e = t.reach(t.HostAddr.String(), reachedTCP, "the host address (an allowed CIDR lists it)")
		// Without the upstream's answer there is no address to try.
		e.Needs = append(upstreamNeed(t), e.Needs...)
	}
	return Case{
		Name:   "learn/host-address-answer",
		Tried:  fmt.Sprintf("resolve %s @%s (the answer is one of the host's addresses), connect to the answer:443", t.HostName, t.Policy.SentryIP),
		Spec:   resolveTCP(t.Policy.SentryIP.String(), t.HostName, 443),
		Expect: e,
	}
}
