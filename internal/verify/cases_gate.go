package verify

import (
	"fmt"
	"slices"

	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/probe"
)

// The name gate's rules: nat-name redirects a checked connection to the
// gate, out-gate lets the gate's own connection out once the name passed.
// A refusal moves nat-name and not out-gate; a pass moves both.
const (
	gateRedirect = "rbm:nat-name"
	gateOut      = "rbm:out-gate"
)

// gateRefused: to the bottle a refused connection first looks like a
// successful connect; the reset comes after the ClientHello or request,
// so the cases judge by the handshake or the answer, never the connect.
var gateRefused = []probe.Outcome{probe.Refused}

// gateChecks reports whether the gate reads names on port.
func (t Target) gateChecks(port uint16) bool {
	p := t.Policy
	return p.GatesLearned() && slices.Contains(p.Gate.Ports, port) && t.Learned.IsValid() && t.LearnName != "" &&
		!t.reaches(t.Learned) && t.dropRuleFor(t.Learned) != guardRule
}

// afterResolve prefixes then with the sentry's answer for t.LearnName, so
// the learned address is open whatever ran before.
func (t Target) afterResolve(then probe.Spec) probe.Spec {
	then = spec(then)
	return spec(probe.Spec{Kind: probe.KindDNS, Server: t.Policy.SentryIP.String(), Name: t.LearnName, Then: &then})
}

// web is an HTTP(S) request for host, sent to the learned address. The
// certificate is not verified: whether the request gets through the gate
// is the question, and the stand-ins' certificates need not name host.
func (t Target) web(scheme, host string, port uint16) probe.Spec {
	return probe.Spec{Kind: probe.Kind(scheme), URL: fmt.Sprintf("%s://%s/", scheme, host), Insecure: true,
		Resolve: fmt.Sprintf("%s:%d:%s", host, port, t.Learned)}
}

// gateCases attack the name gate from the bottle, once the allowed name
// opened its address: another name in the SNI or the Host header
// (fronting), no SNI, QUIC, and a port a learned address does not open.
func gateCases(t Target) []Case {
	if !t.gateChecks(443) || t.ForbiddenName == "" {
		return nil
	}
	split := t.web("https", t.LearnName, 443)
	split.Segment = 64
	noSNI := probe.Spec{Kind: probe.KindHTTPS, URL: "https://" + hostPort(t.Learned, 443) + "/", Insecure: true}
	cs := []Case{{
		Name:   "gate/split-hello",
		Tried:  fmt.Sprintf("resolve %s, then HTTPS to it with the ClientHello in 64-byte TCP segments", t.LearnName),
		Spec:   t.afterResolve(split),
		Expect: t.gateExpect(t.gateDecision(443, t.LearnName, false)),
	}, {
		Name:   "gate/forbidden-sni",
		Tried:  fmt.Sprintf("resolve %s, then TLS to its address %s with SNI %s", t.LearnName, hostPort(t.Learned, 443), t.ForbiddenName),
		Spec:   t.afterResolve(t.web("https", t.ForbiddenName, 443)),
		Expect: t.gateExpect(t.gateDecision(443, t.ForbiddenName, false)),
	}, {
		Name:   "gate/no-sni",
		Tried:  fmt.Sprintf("resolve %s, then TLS to %s with no SNI", t.LearnName, hostPort(t.Learned, 443)),
		Spec:   t.afterResolve(noSNI),
		Expect: t.gateExpect(t.gateDecision(443, "", false)),
	}}
	if t.AllowedName != "" && t.AllowedName != t.LearnName && t.Policy.Resolves(t.AllowedName) {
		// Fronting with a name the bottle may use, on an address only
		// another name's answer carried.
		cs = append(cs, Case{
			Name:   "gate/other-allowed-name",
			Tried:  fmt.Sprintf("resolve %s, then TLS to its address %s with SNI %s (allowed, but its answers carry other addresses)", t.LearnName, hostPort(t.Learned, 443), t.AllowedName),
			Spec:   t.afterResolve(t.web("https", t.AllowedName, 443)),
			Expect: t.gateExpect(t.gateDecision(443, t.AllowedName, false)),
		})
	}
	if t.gateChecks(80) {
		cs = append(cs, Case{
			Name:   "gate/forbidden-host",
			Tried:  fmt.Sprintf("resolve %s, then HTTP to %s with Host %s", t.LearnName, hostPort(t.Learned, 80), t.ForbiddenName),
			Spec:   t.afterResolve(t.web("http", t.ForbiddenName, 80)),
			Expect: t.gateExpect(t.gateDecision(80, t.ForbiddenName, false)),
		})
	}
	cs = append(cs, gateAbuseCases(t)...)
	closed := Expect{Text: "dropped by the sentry: a learned address opens no UDP", Outcomes: dropped, Moved: []string{dropRule}}
	cs = append(cs, Case{
		Name:   "gate/quic",
		Tried:  fmt.Sprintf("resolve %s, then UDP to %s (QUIC)", t.LearnName, hostPort(t.Learned, 443)),
		Spec:   t.afterResolve(udp(t.Learned, 443)),
		Expect: closed,
	})
	if port := t.unopenedPort(); port != 0 {
		closed.Text = fmt.Sprintf("dropped by the sentry: port %d is not in RBRN_UPLINK_LEARN_PORTS", port)
		cs = append(cs, Case{
			Name:   "gate/unlisted-port",
			Tried:  fmt.Sprintf("resolve %s, then TCP connect %s", t.LearnName, hostPort(t.Learned, port)),
			Spec:   t.afterResolve(tcp(t.Learned, port)),
			Expect: closed,
		})
	}
	return cs
}

// unopenedPort is a TCP port a learned address does not open (8443, or
// the first of a few that is in neither list); 0 if none.
func (t Target) unopenedPort() uint16 {
	p := t.Policy
	for _, port := range []uint16{8443, 8080, 8444} {
		if !slices.Contains(p.Gate.Ports, port) && !slices.Contains(p.Gate.LearnPorts, port) {
			return port
		}
	}
	return 0
}

// learnedPass is what a request for the allowed name to its learned
// address must give while the gate checks it: an answer, through the gate.
func (t Target) learnedPass() Expect {
	return Expect{Text: "connects through the name gate (" + policy.GatePass + "): the name is allowed and its answer carried the address",
		Outcomes: reachedTCP, Moved: []string{gateRedirect, gateOut}, Needs: append(upstreamNeed(t), uplinkNeed(t.Learned)...)}
}
