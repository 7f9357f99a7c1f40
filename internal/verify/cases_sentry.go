package verify

import (
	"fmt"

	"github.com/recipe-bottle/rbm/internal/probe"
)

// scannedPorts are services a sentry might carelessly expose.
var scannedPorts = []uint16{22, 80, 443, 3128, 8080}

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
	cs = append(cs,
		Case{
			Name: "sentry/udp-5353", Tried: "UDP " + hostPort(s, 5353), Spec: udp(s, 5353),
			Expect: Expect{Text: "dropped: only DNS is open", Outcomes: dropped, Moved: []string{enclaveDrop}},
		},
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
	return cs
}
