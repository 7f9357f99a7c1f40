package verify

import (
	"fmt"
	"strings"

	"github.com/recipe-bottle/rbm/internal/probe"
)

// hostileLabels are labels that are not host-name labels, in the escaped
// form miekg/dns writes (and the stand-in upstream counts by): a space, an
// ANSI escape sequence, and shell syntax. dnsmasq forwards any of them and
// logs what it cannot print as "<name unprintable>".
var hostileLabels = []struct{ name, what, label string }{
	{"dns/name-with-space", "a label with a space", `hidden\ exfil`},
	{"dns/name-with-escape-sequence", "a label with a terminal escape sequence", `\027[2j\027]0\;owned\007`},
	{"dns/name-with-shell-syntax", "a label with $(...) and backticks", "z$\\(touch\\ x\\)`id`"},
}

// hostileNameCases: a query whose name is not a host name, under an allowed
// name, is refused by the sentry's DNS guard in every mode and never
// reaches the upstream (judged by the upstream stand-in's own count).
func hostileNameCases(t Target) []Case {
	var cs []Case
	for _, h := range hostileLabels {
		qname := h.label + "." + t.AllowedName
		c := Case{
			Name:  h.name,
			Tried: fmt.Sprintf("dig @%s for %s under %s", t.Policy.SentryIP, h.what, t.AllowedName),
			Spec:  dnsQuery(t.Policy.SentryIP, 53, qname, false),
		}
		if t.dnsOn() {
			c.Expect = Expect{Text: "REFUSED by the sentry's DNS guard; never forwarded", Outcomes: []probe.Outcome{probe.Answered}, Rcode: "REFUSED",
				Answers: answers{none: true}, Upstream: &UpstreamCheck{Name: strings.ToLower(qname)}}
			c.Expect.Moved, c.Expect.AnyMoved = queryRule("rbm:in-dns-", false)
		} else {
			c.Expect = Expect{Text: "no resolver (DNS off): dropped", Outcomes: notThrough, Moved: []string{"rbm:in-enclave-drop"}}
		}
		cs = append(cs, c)
	}
	return cs
}
