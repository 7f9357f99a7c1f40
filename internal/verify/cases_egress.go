package verify

import (
	"fmt"
	"net/netip"

	"github.com/recipe-bottle/rbm/internal/probe"
)

var metadata = netip.MustParseAddr("169.254.169.254")

// egressCases check the CIDR policy on several protocols, and the places
// no bottle may reach whatever the policy says.
func egressCases(t Target) []Case {
	var cs []Case
	if t.Allowed.IsValid() {
		a := t.Allowed
		cs = append(cs,
			Case{Name: "egress/allowed-tcp-443", Tried: "TCP connect " + hostPort(a, 443), Spec: tcp(a, 443), Expect: t.reach(a.String(), reachedTCP, "an allowed CIDR")},
			Case{Name: "egress/allowed-icmp", Tried: "ping " + a.String(), Spec: icmp(a), Expect: t.ping(t.reach(a.String(), []probe.Outcome{probe.Answered}, "an allowed CIDR"))},
			Case{Name: "egress/allowed-quic-udp-443", Tried: "UDP " + hostPort(a, 443), Spec: udp(a, 443), Expect: t.reach(a.String(), reachedUDP, "an allowed CIDR")},
		)
		if t.EchoPort != 0 {
			cs = append(cs, Case{Name: "egress/allowed-tcp-" + portStr(t.EchoPort), Tried: "TCP connect " + hostPort(a, t.EchoPort), Spec: tcp(a, t.EchoPort), Expect: t.reach(a.String(), reachedTCP, "an allowed CIDR")})
		}
	}
	f := t.Forbidden
	cs = append(cs,
		Case{Name: "egress/forbidden-tcp-443", Tried: "TCP connect " + hostPort(f, 443), Spec: tcp(f, 443), Expect: t.reach(f.String(), reachedTCP, "any address (global egress)")},
		Case{Name: "egress/forbidden-udp", Tried: "UDP " + hostPort(f, 8443), Spec: udp(f, 8443), Expect: t.reach(f.String(), reachedUDP, "any address (global egress)")},
		Case{Name: "egress/forbidden-icmp", Tried: "ping " + f.String(), Spec: icmp(f), Expect: t.ping(t.reach(f.String(), []probe.Outcome{probe.Answered}, "any address (global egress)"))},
		Case{Name: "egress/forbidden-quic-udp-443", Tried: "UDP " + hostPort(f, 443), Spec: udp(f, 443), Expect: t.reach(f.String(), reachedUDP, "any address (global egress)")},
		Case{
			Name: "egress/cloud-metadata", Tried: "TCP connect " + hostPort(metadata, 80), Spec: tcp(metadata, 80),
			Expect: Expect{Text: "dropped in every mode", Outcomes: dropped, Moved: []string{"rbm:fwd-linklocal"}},
		},
	)
	if h := t.HostAddr; h.IsValid() {
		cs = append(cs, Case{
			Name: "egress/host-address", Tried: "TCP connect " + hostPort(h, 443) + " (one of the host's own addresses)", Spec: tcp(h, 443),
			Expect: t.reach(h.String(), reachedTCP, "a host address an allowed CIDR lists"),
		})
	}
	if t.BridgeIP.IsValid() {
		cs = append(cs, Case{
			Name: "egress/host-bridge-address", Tried: "TCP connect " + hostPort(t.BridgeIP, 22), Spec: tcp(t.BridgeIP, 22),
			Expect: Expect{Text: "unreachable: the host is not a way out", Outcomes: notThrough},
		})
	}
	for _, after := range []bool{false, true} {
		n := neighbour(t.Policy.Subnet, after)
		cs = append(cs, Case{
			Name:  fmt.Sprintf("egress/neighbour-subnet-%s", map[bool]string{false: "below", true: "above"}[after]),
			Tried: "TCP connect " + hostPort(n, 80), Spec: tcp(n, 80),
			Expect: t.neighbourExpect(n),
		})
	}
	return cs
}

// neighbourExpect: next to the enclave nothing is special; global egress
// refuses it as private. Should an allowed CIDR open it, the sentry forwards
// it (nobody may answer), so it is reported.
func (t Target) neighbourExpect(n netip.Addr) Expect {
	if t.reaches(n) {
		return Expect{Text: "reported: an allowed CIDR opens it", Report: true}
	}
	return Expect{Text: "dropped by the sentry", Outcomes: dropped, Moved: []string{t.dropRuleFor(n)}}
}
