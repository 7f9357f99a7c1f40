// Package verify runs the containment battery: probes from the bottle's
// namespace with the bottle's privileges, each judged against what the
// policy says must happen, with the sentry's rule counters read before and
// after so every verdict names the rules that saw the traffic.
package verify

import (
	"net/netip"

	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/probe"
)

// Target says what to probe. The lab fills it with its stand-ins; a real
// deployment names real resolvers and hosts; tests use documentation
// addresses only.
type Target struct {
	Policy policy.Policy

	Foreign   netip.Addr // a resolver the bottle must not reach directly
	Allowed   netip.Addr // a host inside an allowed CIDR serving HTTPS (invalid: none)
	Forbidden netip.Addr // a host outside every allowed CIDR serving HTTP
	EchoPort  uint16     // a TCP port open on Allowed besides 443 (0: skip)
	// Learned serves HTTPS at an address in no allowed CIDR that LearnName
	// (an allowed name) resolves to (invalid: skip the learn cases).
	Learned   netip.Addr
	LearnName string

	AllowedName   string // resolves (if DNS allows it) to an address the bottle may reach
	ForbiddenName string // outside every allowed domain
	BaitDomain    string // allowed, under rebinding protection, with private.<d> and metadata.<d> names ("": skip)
	CAFile        string // CA of Allowed's HTTPS certificate, as the prober sees it ("": system roots)

	BridgeIP netip.Addr // the host's address on the enclave (.1), if any
	// HostAddr is one of the host's own addresses (in Policy.HostAddrs)
	// with a web server on it, outside every allowed CIDR (invalid: skip).
	HostAddr     netip.Addr
	HostName     string       // an allowed name whose answer is HostAddr ("": skip)
	SentryUplink netip.Addr   // the sentry's uplink address, if known
	UplinkPrefix netip.Prefix // the uplink's subnet, if known: learned addresses never open it
	Hostile      bool         // probes run with NET_RAW and NET_ADMIN
	// PingDenied: the bottle's group is outside net.ipv4.ping_group_range
	// of its namespace (Podman's default is "0 0"), so without NET_RAW it
	// cannot open an ICMP socket at all.
	PingDenied bool
}

// ping is e for an ICMP echo probe, unless the bottle may not send one: a
// ping its own kernel refuses (denied, no counter moves) contains it even
// more than the sentry's rule would, so it is not a broken expectation.
func (t Target) ping(e Expect) Expect {
	if t.PingDenied && !t.Hostile {
		return Expect{Text: "denied: no ping socket for the bottle's group (net.ipv4.ping_group_range)", Outcomes: []probe.Outcome{probe.Denied}}
	}
	return e
}

// dnsOn reports whether the sentry runs a resolver.
func (t Target) dnsOn() bool { return t.Policy.DNS != policy.DNSOff }

// reaches reports whether the policy lets the bottle reach addr by its
// address alone (policy.Decide, without learned state).
func (t Target) reaches(addr netip.Addr) bool { return t.decide(addr).Allowed() }
