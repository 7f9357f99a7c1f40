package firewall

import (
	"net/netip"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// addNAT fills the nat hooks: DNS interception, the name gate's
// redirects, the entry port and the bottle's masquerade.
func addNAT(m *Model, p policy.Policy, ifs Interfaces) {
	if p.InterceptsDNS() {
		for _, pr := range []string{"udp", "tcp"} {
			m.add(HookPrerouting, policy.DNSInterceptRule(pr), match(inIface(ifs.Enclave), src(p.BottleIP), port(pr, 53)),
				Verdict{Kind: DNAT, To: netip.AddrPortFrom(p.SentryIP, 53)})
		}
	}
	addGateNAT(m, p, ifs)
	if p.Entry != nil {
		addEntryNAT(m, p, ifs)
	}
	if p.Egress != policy.EgressNone {
		m.add(HookPostrouting, "nat-masq", match(src(p.BottleIP), outIface(ifs.Uplink)), Verdict{Kind: Masquerade})
	}
}

// addEntryNAT forwards the workstation port to the bottle. Only traffic
// arriving on the uplink is DNATed, never the sentry's or the bottle's own;
// the masquerade toward the enclave makes the bottle answer through the
// sentry whatever its routes say.
//
// When the workstation port is published on loopback only, the entry is
// also limited to the uplink's gateway: Podman's port forward (and the
// host itself) arrives from there, while other containers and hosts on the
// uplink network would otherwise reach the bottle's service by the
// sentry's own address, whatever the publish address says.
func addEntryNAT(m *Model, p policy.Policy, ifs Interfaces) {
	e := p.Entry
	from := match(inIface(ifs.Uplink))
	if e.HostOnly && ifs.UplinkGateway.IsValid() {
		from = append(from, src(ifs.UplinkGateway))
	}
	m.add(HookPrerouting, "nat-entry", append(from, port("tcp", e.WorkstationPort)),
		Verdict{Kind: DNAT, To: netip.AddrPortFrom(p.BottleIP, e.EnclavePort)})
	// Rootless Podman's port forward arrives from inside the sentry:
	// rootlessport's child joins the sentry's network namespace and dials
	// one of the sentry's own addresses (containers/podman: the first IPv4
	// of the container's networks, in Go's random map order), so the
	// connection is the sentry's own, routed to lo, and crosses nat output,
	// never prerouting. Only a process in the sentry makes such a packet;
	// the bottle's reach the sentry through prerouting and input.
	m.add(HookNATOutput, "nat-entry-local", match(outIface("lo"), port("tcp", e.WorkstationPort)),
		Verdict{Kind: DNAT, To: netip.AddrPortFrom(p.BottleIP, e.EnclavePort)})
	m.add(HookPostrouting, "nat-entry-masq", match(dst(p.BottleIP), outIface(ifs.Enclave), port("tcp", e.EnclavePort), dnatted),
		Verdict{Kind: Masquerade})
}

// addGateNAT sends the bottle's TCP on the checked ports to the name gate,
// exactly where forward would otherwise accept it without a name: an
// allowed CIDR (RBRN_UPLINK_NAME_CHECK=all; never link-local, which
// fwd-linklocal drops first), and a learned address that is neither an
// allowed CIDR nor in the guard (fwd-learn-guard drops those). Lookups
// here leave the sets' element counters alone: those count forwarding.
// The learned set is looked up first, so a miss stops there.
func addGateNAT(m *Model, p policy.Policy, ifs Interfaces) {
	from := func(ts ...Term) []Term {
		return append(match(inIface(ifs.Enclave), src(p.BottleIP), ports("tcp", p.Gate.Ports)), ts...)
	}
	to := Verdict{Kind: Redirect, Port: GatePort}
	if p.GatesCIDRs() {
		m.add(HookPrerouting, "nat-name-cidrs", from(not(dstPrefix(policy.LinkLocal)), lookup(SetAllowed)), to)
	}
	if p.GatesLearned() {
		m.add(HookPrerouting, "nat-name", from(lookup(SetLearned), not(lookup(SetAllowed)), not(lookup(SetNever))), to)
	}
}
