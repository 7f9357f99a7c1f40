package verify

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/recipe-bottle/rbm/internal/probe"
)

// exfilLabel is a long label (60 of the 63 characters a label may have)
// shaped like hex data smuggled out in a name.
var exfilLabel = strings.Repeat("6578666c", 7) + "7465"

var mdnsGroup = netip.MustParseAddr("224.0.0.251")

// dnsCases try the known ways around a filtering resolver.
func dnsCases(t Target) []Case {
	cs := []Case{
		{
			Name:   "dns/foreign-resolver-port-5353",
			Tried:  fmt.Sprintf("dig -p 5353 @%s %s", t.Foreign, t.ForbiddenName),
			Spec:   dnsQuery(t.Foreign, 5353, t.ForbiddenName, false),
			Expect: t.reach(t.Foreign.String(), []probe.Outcome{probe.Answered, probe.Refused}, "the foreign resolver's address (egress allows it)"),
		},
		{
			Name:   "dns/dns-over-tls-853",
			Tried:  fmt.Sprintf("TCP connect %s:853 (DoT)", t.Foreign),
			Spec:   tcp(t.Foreign, 853),
			Expect: t.reach(t.Foreign.String(), []probe.Outcome{probe.Connected, probe.Refused}, "the foreign resolver's address (egress allows it)"),
		},
		{
			Name:   "dns/zone-transfer",
			Tried:  fmt.Sprintf("dig AXFR @%s %s", t.Policy.SentryIP, t.AllowedName),
			Spec:   spec(probe.Spec{Kind: probe.KindDNS, Server: hostPort(t.Policy.SentryIP, 53), Name: t.AllowedName, QType: "AXFR", TCP: true}),
			Expect: Expect{Text: "no zone data", Answers: answers{none: true}},
		},
		{
			Name:   "dns/multicast-dns",
			Tried:  "dig -p 5353 @224.0.0.251 _services._dns-sd._udp.local PTR",
			Spec:   spec(probe.Spec{Kind: probe.KindDNS, Server: hostPort(mdnsGroup, 5353), Name: "_services._dns-sd._udp.local", QType: "PTR"}),
			Expect: Expect{Text: "no answer", Outcomes: notThrough},
		},
		{
			Name:   "dns/dns-over-https-443",
			Tried:  fmt.Sprintf("TCP connect %s:443 (DoH to a resolver's address)", t.Foreign),
			Spec:   tcp(t.Foreign, 443),
			Expect: t.reach(t.Foreign.String(), []probe.Outcome{probe.Connected, probe.Refused}, "the foreign resolver's address (egress allows it)"),
		},
		t.sentryDNS("dns/allowed-name-tcp", t.AllowedName, true),
	}
	cs = append(cs, tunnelCases(t)...)
	cs = append(cs, hostileNameCases(t)...)
	cs = append(cs, poisonCases(t)...)
	if t.BaitDomain != "" && t.dnsOn() {
		cs = append(cs, t.rebind("dns/rebind-private", "private."+t.BaitDomain), t.rebind("dns/rebind-metadata", "metadata."+t.BaitDomain))
	}
	return cs
}

// rebind: an allowed name whose upstream answer is a private or
// link-local address must not come back with that address.
func (t Target) rebind(name, qname string) Case {
	return Case{
		Name:   name,
		Tried:  fmt.Sprintf("dig @%s %s", t.Policy.SentryIP, qname),
		Spec:   dnsQuery(t.Policy.SentryIP, 53, qname, false),
		Expect: Expect{Text: "private/link-local answer dropped", Answers: answers{noPrivate: true}},
	}
}
