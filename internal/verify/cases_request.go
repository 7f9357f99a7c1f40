package verify

import (
	"fmt"

	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/standin"
)

// requestCases are the request's own checks: DNS to a foreign resolver
// never reaches it, the sentry's resolver answers, an allowed HTTPS name
// works, a forbidden address does not.
func requestCases(t Target) []Case {
	return []Case{
		t.foreignDNS("request/foreign-dns-udp", false),
		t.foreignConnect(),
		t.foreignDNS("request/foreign-dns-tcp", true),
		t.sentryDNS("request/sentry-dns-allowed", t.AllowedName, false),
		t.sentryDNS("request/sentry-dns-forbidden", t.ForbiddenName, false),
		t.httpsAllowed(),
		{
			Name:   "request/http-forbidden-address",
			Tried:  fmt.Sprintf("curl http://%s/", t.Forbidden),
			Spec:   spec(probe.Spec{Kind: probe.KindHTTP, URL: "http://" + t.Forbidden.String() + "/"}),
			Expect: t.reach(t.Forbidden.String(), reachedTCP, "the forbidden address (global egress)"),
		},
	}
}

// foreignDNS: a query to a foreign resolver is either intercepted and
// answered by the sentry's filter (redirect) or refused (reject, or DNS
// off). Either way the foreign resolver never sees it.
func (t Target) foreignDNS(name string, overTCP bool) Case {
	c := Case{
		Name:  name,
		Tried: fmt.Sprintf("dig @%s %s (%s)", t.Foreign, t.ForbiddenName, transport(overTCP)),
		Spec:  dnsQuery(t.Foreign, 53, t.ForbiddenName, overTCP),
	}
	if t.Policy.InterceptsDNS() {
		c.Expect = Expect{
			Text: "intercepted: answered by the sentry's filter", Outcomes: []probe.Outcome{probe.Answered},
			Rcode: t.sentryRcode(t.ForbiddenName), Answers: answers{exclude: standin.DefaultForeignAnswer},
			ForeignUntouched: true,
		}
		if t.Policy.Resolves(t.ForbiddenName) {
			c.Expect.Needs = upstreamNeed(t)
		}
		c.Expect.Moved, c.Expect.AnyMoved = queryRule("rbm:nat-dns-", overTCP)
		return c
	}
	c.Expect = Expect{
		Text: "rejected by the sentry", Outcomes: []probe.Outcome{probe.Refused},
		Moved: []string{"rbm:fwd-dns-reject-" + proto(overTCP)}, ForeignUntouched: true,
	}
	return c
}

// foreignConnect is the request's `nc -zv <foreign> 53`.
func (t Target) foreignConnect() Case {
	c := Case{
		Name:  "request/foreign-dns-tcp-connect",
		Tried: fmt.Sprintf("nc -zv %s 53", t.Foreign),
		Spec:  tcp(t.Foreign, 53),
	}
	if t.Policy.InterceptsDNS() {
		c.Expect = Expect{Text: "intercepted: the sentry accepts it", Outcomes: reachedTCP, Moved: []string{"rbm:nat-dns-tcp"}, ForeignUntouched: true}
	} else {
		c.Expect = Expect{Text: "rejected by the sentry", Outcomes: []probe.Outcome{probe.Refused}, Moved: []string{"rbm:fwd-dns-reject-tcp"}, ForeignUntouched: true}
	}
	return c
}

// sentryRcode is the rcode the sentry's resolver gives name.
func (t Target) sentryRcode(name string) string {
	if t.Policy.Resolves(name) {
		return "NOERROR"
	}
	return "NXDOMAIN"
}

// sentryDNS is `dig @sentry name`.
func (t Target) sentryDNS(name, qname string, overTCP bool) Case {
	c := Case{
		Name:  name,
		Tried: fmt.Sprintf("dig @%s %s (%s)", t.Policy.SentryIP, qname, transport(overTCP)),
		Spec:  dnsQuery(t.Policy.SentryIP, 53, qname, overTCP),
	}
	switch {
	case !t.dnsOn():
		c.Expect = Expect{Text: "no resolver (DNS off): dropped", Outcomes: notThrough, Moved: []string{"rbm:in-enclave-drop"}}
	case t.Policy.Resolves(qname) && qname == t.AllowedName:
		c.Expect = Expect{Text: "answered with an address", Outcomes: []probe.Outcome{probe.Answered}, Rcode: "NOERROR", Answers: answers{some: true}, Needs: upstreamNeed(t)}
	case t.Policy.Resolves(qname):
		// Any other name (the forbidden one, under global DNS) resolves, but
		// the Target does not promise its address is public: rebinding
		// protection may strip a private answer, and must, unless exempt.
		c.Expect = Expect{Text: "answered (global DNS), no private address", Outcomes: []probe.Outcome{probe.Answered}, Rcode: "NOERROR",
			Answers: answers{noPrivate: !policy.InAnyDomain(qname, t.Policy.RebindOK)}, Needs: upstreamNeed(t)}
	default:
		c.Expect = Expect{Text: "NXDOMAIN from the sentry", Outcomes: []probe.Outcome{probe.Answered}, Rcode: "NXDOMAIN"}
	}
	if t.dnsOn() {
		c.Expect.Moved, c.Expect.AnyMoved = queryRule("rbm:in-dns-", overTCP)
	}
	return c
}

// queryRule is the rule a DNS query must move: prefix+"tcp" for TCP (a new
// connection always). Over UDP it is prefix+"udp", or in-established when
// the query's source port matched a flow conntrack still held from an
// earlier query (the kernel picks UDP source ports at random, and a
// battery sends dozens of queries to the same server within conntrack's
// 120 s): that flow's first packet was accepted by the same rule.
func queryRule(prefix string, overTCP bool) (moved, anyMoved []string) {
	if overTCP {
		return []string{prefix + "tcp"}, nil
	}
	return nil, []string{prefix + "udp", "rbm:in-established"}
}

// httpsAllowed is `curl https://<allowed name>`, resolved through the sentry.
func (t Target) httpsAllowed() Case {
	c := Case{
		Name:  "request/https-allowed-name",
		Tried: fmt.Sprintf("curl https://%s/", t.AllowedName),
		Spec:  spec(probe.Spec{Kind: probe.KindHTTPS, URL: "https://" + t.AllowedName + "/", CAFile: t.CAFile}),
	}
	ok := t.dnsOn() && t.Policy.Resolves(t.AllowedName) && t.Allowed.IsValid() && t.reaches(t.Allowed)
	if ok {
		c.Expect = Expect{Text: "works (name allowed, address allowed)", Outcomes: reachedTCP, Moved: nonEmpty(t.allowRule(t.Allowed.String())),
			Needs: append(upstreamNeed(t), uplinkNeed(t.Allowed)...)}
		return c
	}
	why := "name not resolved"
	if t.Policy.Resolves(t.AllowedName) && t.dnsOn() {
		why = "address not allowed"
	}
	c.Expect = Expect{Text: "fails (" + why + ")", Outcomes: notThrough}
	if t.Policy.Egress == policy.EgressNone {
		c.Expect.Text = "fails (no egress)"
	}
	return c
}
