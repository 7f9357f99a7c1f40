package verify

import (
	"fmt"
	"net/netip"

	"github.com/recipe-bottle/rbm/internal/probe"
)

// scannedPorts are services a sentry might carelessly expose.
var scannedPorts = []uint16{22, 80, 443, 853, 3128, 8080}

// scannedUDPPorts: mDNS, DHCP, NTP, SNMP.
var scannedUDPPorts = []uint16{5353, 67, 123, 161}

const enclaveDrop = "rbm:in-enclave-drop"

// sentryCases scan the sentry from the bottle: only DNS may answer, and
// the entry port is not reachable from inside.
func sentryCases(t Target) []Case {
	s := t.Policy.SentryIP
	var cs []Case
	for _, port := range scannedPorts {
		cs = append(cs, Case{
			Name: "sentry/tcp-" + portStr(port), Tried: "TCP connect " + hostPort(s, port), Spec: tcp(s, port),
			Expect: Expect{Text: "dropped: only DNS is open", Outcomes: dropped, Moved: []string{enclaveDrop}},
		})
	}
	for _, port := range scannedUDPPorts {
		cs = append(cs, Case{
			Name: "sentry/udp-" + portStr(port), Tried: "UDP " + hostPort(s, port), Spec: udp(s, port),
			Expect: Expect{Text: "dropped: only DNS is open", Outcomes: dropped, Moved: []string{enclaveDrop}},
		})
	}
	cs = append(cs,
		Case{
			Name: "sentry/icmp", Tried: "ping " + s.String(), Spec: icmp(s),
			Expect: t.ping(Expect{Text: "dropped: only DNS is open", Outcomes: dropped, Moved: []string{enclaveDrop}}),
		},
	)
	if e := t.Policy.Entry; e != nil {
		for _, a := range []struct{ name, addr string }{{"enclave", s.String()}, {"uplink", t.SentryUplink.String()}} {
			if a.name == "uplink" && !t.SentryUplink.IsValid() {
				continue
			}
			cs = append(cs, Case{
				Name:   "sentry/entry-port-via-" + a.name,
				Tried:  fmt.Sprintf("TCP connect %s:%d (the workstation's entry port, from inside)", a.addr, e.WorkstationPort),
				Spec:   spec(probe.Spec{Kind: probe.KindTCP, Target: fmt.Sprintf("%s:%d", a.addr, e.WorkstationPort)}),
				Expect: Expect{Text: "dropped: the entry port is for the workstation", Outcomes: dropped, Moved: []string{enclaveDrop}},
			})
		}
	}
	return append(cs, identityCases(t)...)
}

// identityNames are the CHAOS names resolvers answer about themselves;
// servers.bind lists dnsmasq's upstream servers.
var identityNames = []string{"version.bind", "servers.bind", "hostname.bind", "id.server"}

// identityCases: the sentry tells the bottle nothing about itself or its
// uplink, and reports (without judging) whether its upstream answers.
func identityCases(t Target) []Case {
	s := t.Policy.SentryIP
	var cs []Case
	for _, name := range identityNames {
		cs = append(cs, Case{
			Name: "sentry/identity-" + name, Tried: fmt.Sprintf("dig CH TXT %s @%s", name, s),
			Spec:   spec(probe.Spec{Kind: probe.KindDNS, Server: hostPort(s, 53), Name: name, QType: "TXT", QClass: "CHAOS"}),
			Expect: Expect{Text: "no answer about the sentry", Answers: answers{none: true}},
		})
	}
	rev := []struct {
		name string
		a    netip.Addr
	}{{"enclave", s}, {"uplink", t.SentryUplink}}
	for _, r := range rev {
		if !r.a.IsValid() {
			continue
		}
		cs = append(cs, Case{
			Name: "sentry/reverse-lookup-" + r.name, Tried: fmt.Sprintf("dig -x %s @%s", r.a, s),
			Spec:   spec(probe.Spec{Kind: probe.KindDNS, Server: hostPort(s, 53), Name: reverseName(r.a), QType: "PTR"}),
			Expect: Expect{Text: "no name for the sentry's " + r.name + " address", Answers: answers{none: true}},
		})
	}
	if t.dnsOn() {
		cs = append(cs, Case{
			Name: "sentry/upstream-resolver", Tried: fmt.Sprintf("dig @%s %s (answered by the upstream)", s, t.AllowedName),
			Spec:   dnsQuery(s, 53, t.AllowedName, false),
			Expect: Expect{Text: "reported: whether the upstream resolver answers", Report: true, UpstreamState: true},
		})
	}
	return cs
}

// reverseName is a's in-addr.arpa name.
func reverseName(a netip.Addr) string {
	b := a.As4()
	return fmt.Sprintf("%d.%d.%d.%d.in-addr.arpa", b[3], b[2], b[1], b[0])
}
