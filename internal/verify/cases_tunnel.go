package verify

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/recipe-bottle/rbm/internal/probe"
)

// forgedAnswer is what the forged DNS responses claim; it is only ever an
// answer, never a destination.
var forgedAnswer = netip.MustParseAddr("198.51.100.66")

// forgedCount stays within what dnsmasq's socket buffer holds at once:
// with 500, a loaded CI machine dropped the follow-up query itself (the
// bottle can flood its own resolver; that is not a way out).
const forgedCount = 100

// tunnelCases carry data out in query names under an allowed name, the
// shapes DNS tunnels use (iodine, dnscat2: TXT and NULL answers, long
// labels). With RBRN_DNS_MATCH=exact the sentry answers them itself.
func tunnelCases(t Target) []Case {
	long := strings.Join([]string{exfilLabel + "aaa", exfilLabel + "bbb", exfilLabel + "ccc"}, ".")
	return []Case{
		t.tunnel("dns/exfiltration-shaped-subdomain", exfilLabel+"."+t.AllowedName, "A"),
		t.tunnel("dns/tunnel-txt", "t"+exfilLabel[:40]+"."+t.AllowedName, "TXT"),
		t.tunnel("dns/tunnel-null", "n"+exfilLabel[:40]+"."+t.AllowedName, "NULL"),
		t.tunnel("dns/tunnel-long-labels", long+"."+t.AllowedName, "A"),
	}
}

// tunnel: a query for a data-shaped name under an allowed one. Forwarded
// upstream (subdomains, global DNS), it is a channel out and is reported;
// answered by the sentry, it must be NXDOMAIN that never left.
func (t Target) tunnel(caseName, qname, qtype string) Case {
	c := Case{
		Name:  caseName,
		Tried: fmt.Sprintf("dig %s @%s %s...%s", qtype, t.Policy.SentryIP, qname[:12], t.AllowedName),
		Spec:  spec(probe.Spec{Kind: probe.KindDNS, Server: hostPort(t.Policy.SentryIP, 53), Name: qname, QType: qtype}),
	}
	switch {
	case !t.dnsOn():
		c.Expect = Expect{Text: "no resolver: nothing answers", Outcomes: notThrough}
	case t.Policy.Resolves(qname):
		c.Expect = Expect{Text: "reported: names under an allowed domain are forwarded upstream (RBRN_DNS_MATCH=exact closes this)", Report: true}
	default:
		c.Expect = Expect{Text: "NXDOMAIN from the sentry; never forwarded", Outcomes: []probe.Outcome{probe.Answered}, Rcode: "NXDOMAIN",
			Answers: answers{none: true}, Upstream: &UpstreamCheck{Name: strings.ToLower(qname)}}
	}
	return c
}

// poisonCases: forged answers sent to the sentry's resolver must never be
// handed out; an alias must not smuggle a private address past rebinding
// protection.
func poisonCases(t Target) []Case {
	if !t.dnsOn() {
		return nil
	}
	forge := spec(probe.Spec{Kind: probe.KindDNSForge, Server: hostPort(t.Policy.SentryIP, 53), Name: t.AllowedName, Source: forgedAnswer.String(), Count: forgedCount,
		Then: &probe.Spec{Kind: probe.KindDNS, Server: hostPort(t.Policy.SentryIP, 53), Name: t.AllowedName}})
	forge.Timeout = probe.Duration(floodTimeout)
	cs := []Case{{
		Name:   "dns/forged-answers",
		Tried:  fmt.Sprintf("%d forged answers %s -> %s to %s:53, then ask it", forgedCount, t.AllowedName, forgedAnswer, t.Policy.SentryIP),
		Spec:   forge,
		Expect: Expect{Text: "the forged answer is never handed out", Outcomes: []probe.Outcome{probe.Answered}, Answers: answers{exclude: forgedAnswer.String()}},
	}}
	if t.BaitDomain != "" {
		for _, kind := range []string{"private", "metadata"} {
			qname := "cname-" + kind + "." + t.BaitDomain
			c := t.rebind("dns/cname-to-"+kind, qname)
			c.Tried += " (a CNAME to a name outside the allowed domains with a " + kind + " address)"
			c.Expect.Upstream = &UpstreamCheck{Name: qname, Asked: true}
			c.Expect.Needs = upstreamNeed(t)
			if !t.Policy.Resolves(qname) {
				c.Expect = Expect{Text: "NXDOMAIN: not an allowed name", Answers: answers{noPrivate: true}}
			}
			cs = append(cs, c)
		}
	}
	return cs
}
