package verify

import (
	"fmt"
	"net/netip"

	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/probe"
)

// Shapes of the abuse cases' ClientHellos and floods.
const (
	largeHello  = 4500 // bytes: more than post-quantum key shares make today
	helloRecord = 1200 // bytes per record: the hello spans four
	silentConns = 200  // connections that send nothing
)

// caseLearned is the learned state the battery sets up before each gate
// case: the sentry's answer for t.LearnName carried t.Learned, nothing else.
type caseLearned struct {
	name string
	addr netip.Addr
}

func (l caseLearned) Carried(name string, a netip.Addr) bool { return name == l.name && a == l.addr }

// gateDecision is what the gate decides for name (and ech) on a connection
// to t.Learned:port after resolving t.LearnName: policy.DecideName itself.
func (t Target) gateDecision(port uint16, name string, ech bool) policy.Decision {
	return t.Policy.DecideName(netip.AddrPortFrom(t.Learned, port), name, ech, caseLearned{t.LearnName, t.Learned})
}

// gateExpect turns a gate decision into an expectation: a pass is answered
// through the gate, a refusal is a reset after the connect.
func (t Target) gateExpect(d policy.Decision) Expect {
	if d.Allowed() {
		return t.learnedPass()
	}
	return t.gateRefusal(d.Rule, d.Reason)
}

// gateRefusal: the gate reset the connection before dialling out, so its
// own connection (out-gate) never moved.
func (t Target) gateRefusal(rule, why string) Expect {
	return Expect{Text: fmt.Sprintf("reset by the name gate (%s): %s", rule, why), Outcomes: gateRefused,
		Moved: []string{gateRedirect}, Unmoved: []string{gateOut}, Needs: upstreamNeed(t)}
}

// gateAbuseCases: what a client may send that the gate must still judge
// right: a second request on a kept-alive connection, ambiguous framing,
// a large or encrypted ClientHello, and connections that never speak.
func gateAbuseCases(t Target) []Case {
	var cs []Case
	if t.gateChecks(80) {
		cs = append(cs, t.keepAliveCase(), t.smuggleCase("gate/smuggle-cl-te", "both Content-Length and Transfer-Encoding",
			"POST / HTTP/1.1\r\nHost: "+t.LearnName+"\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
			t.smuggleCase("gate/smuggle-two-hosts", "two Host headers ("+t.LearnName+", "+t.ForbiddenName+")",
				"GET / HTTP/1.1\r\nHost: "+t.LearnName+"\r\nHost: "+t.ForbiddenName+"\r\n\r\n"))
	}
	hello := func(ech bool) probe.Spec {
		return probe.Spec{Kind: probe.KindTLSHello, Target: hostPort(t.Learned, 443), Name: t.LearnName, Pad: largeHello, Record: helloRecord, ECH: ech}
	}
	ech := hello(true)
	ech.Pad, ech.Record = 0, 0
	silent := probe.Spec{Kind: probe.KindTCPSilent, Target: hostPort(t.Learned, 443), Count: silentConns}
	then := spec(t.web("https", t.LearnName, 443))
	silent.Then = &then
	flood := t.afterResolve(silent)
	flood.Timeout = probe.Duration(floodTimeout)
	return append(cs, Case{
		Name:   "gate/large-hello",
		Tried:  fmt.Sprintf("resolve %s, then a %d-byte ClientHello for it in %d-byte records to %s", t.LearnName, largeHello, helloRecord, hostPort(t.Learned, 443)),
		Spec:   t.afterResolve(hello(false)),
		Expect: t.gateExpect(t.gateDecision(443, t.LearnName, false)),
	}, Case{
		Name:   "gate/ech",
		Tried:  fmt.Sprintf("resolve %s, then a ClientHello for it with an encrypted_client_hello extension (GREASE-shaped) to %s", t.LearnName, hostPort(t.Learned, 443)),
		Spec:   t.afterResolve(ech),
		Expect: t.gateExpect(t.gateDecision(443, t.LearnName, true)),
	}, Case{
		Name:   "gate/silent-flood",
		Tried:  fmt.Sprintf("resolve %s, hold %d connections to %s that send nothing, then HTTPS for it", t.LearnName, silentConns, hostPort(t.Learned, 443)),
		Spec:   flood,
		Expect: t.gateExpect(t.gateDecision(443, t.LearnName, false)),
	})
}

// keepAliveCase: the first request, for the allowed name, is answered; the
// second on the same connection names another host, and the gate must
// judge it too (it parses every request, not the first only).
func (t Target) keepAliveCase() Case {
	first := t.gateDecision(80, t.LearnName, false)
	second := t.gateDecision(80, t.ForbiddenName, false)
	e := t.gateExpect(second)
	if first.Allowed() && !second.Allowed() {
		e = t.learnedPass()
		e.Outcomes = gateRefused
		e.Text = fmt.Sprintf("the first request answered, the second reset by the name gate (%s): %s", second.Rule, second.Reason)
	}
	return Case{
		Name:  "gate/keep-alive-other-host",
		Tried: fmt.Sprintf("resolve %s, then on one HTTP connection to %s a request with Host %s, then one with Host %s", t.LearnName, hostPort(t.Learned, 80), t.LearnName, t.ForbiddenName),
		Spec: t.afterResolve(probe.Spec{Kind: probe.KindHTTPRaw, Target: hostPort(t.Learned, 80),
			Requests: []string{get(t.LearnName), get(t.ForbiddenName)}}),
		Expect: e,
	}
}

// smuggleCase: a request for the allowed name whose framing or Host two
// parsers could read differently; the gate refuses it before dialling.
func (t Target) smuggleCase(name, shape, req string) Case {
	return Case{
		Name:   name,
		Tried:  fmt.Sprintf("resolve %s, then HTTP to %s with %s", t.LearnName, hostPort(t.Learned, 80), shape),
		Spec:   t.afterResolve(probe.Spec{Kind: probe.KindHTTPRaw, Target: hostPort(t.Learned, 80), Requests: []string{req}}),
		Expect: t.gateRefusal(policy.GateUnread, "the request's framing or Host is ambiguous"),
	}
}

func get(host string) string { return "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n" }
