// Package policy holds the resolved, validated decision of what a bottle may
// reach: a plain value with no I/O, from which every artefact is rendered.
package policy

import (
	"net/netip"
	"time"
)

// Egress says where forwarded bottle traffic may go.
type Egress string

// Egress modes.
const (
	EgressNone      Egress = "none"      // RBRN_UPLINK_ACCESS_ENABLED=false
	EgressAllowlist Egress = "allowlist" // only AllowedCIDRs
	EgressGlobal    Egress = "global"    // the internet: not link-local, nor private, internal or the host's addresses unless AllowedCIDRs covers them
)

// DNS says which names the sentry's resolver answers.
type DNS string

// DNS modes.
const (
	DNSOff       DNS = "off"       // no resolver; port 53 is rejected
	DNSAllowlist DNS = "allowlist" // AllowedDomains only (read with Match), others NXDOMAIN
	DNSGlobal    DNS = "global"    // every name is forwarded upstream
)

// Intercept says what happens to the bottle's port-53 traffic that is not
// addressed to the sentry.
type Intercept string

// Interception modes.
const (
	InterceptRedirect Intercept = "redirect" // DNAT to the sentry's resolver
	InterceptReject   Intercept = "reject"   // rejected in FORWARD
)

// Deny says what a forbidden new connection from the bottle meets.
type Deny string

// Denial settings.
const (
	DenyDrop   Deny = "drop"   // silence: the bottle waits for its own timeout
	DenyReject Deny = "reject" // TCP reset or ICMP administratively prohibited
)

// Entry is a TCP port forwarded from the workstation to the bottle.
type Entry struct {
	WorkstationPort uint16
	EnclavePort     uint16
	// HostOnly: the workstation port is published on loopback, so only the
	// host (through the uplink's gateway) may use the entry.
	HostOnly bool
}

// Policy is everything the sentry enforces. Build it with config; every field
// is already validated.
type Policy struct {
	SentryIP netip.Addr   // the sentry's address on the enclave
	BottleIP netip.Addr   // the only source allowed out of the enclave
	Subnet   netip.Prefix // the enclave network

	Egress       Egress
	AllowedCIDRs []netip.Prefix // masked, de-duplicated, sorted; in global mode the exceptions to its guards

	DNS            DNS
	AllowedDomains []string   // lowercase, no trailing dot, de-duplicated; "*.d" for the names under d
	Match          Match      // what a plain AllowedDomains entry covers
	Upstream       netip.Addr // resolver the sentry forwards allowed names to
	RebindOK       []string   // allowed domains exempt from rebinding protection
	Intercept      Intercept
	Deny           Deny // what forbidden connections meet

	Entry *Entry // nil when the entry port is disabled

	// HostAddrs are the host's own addresses (those rbm start and rbm
	// reload found, and what rootless networking maps to the host):
	// neither global egress nor a learned answer opens them, only
	// AllowedCIDRs. Sorted, de-duplicated, IPv4.
	HostAddrs []netip.Addr

	Learn Learn // in effect only when Learns() is true
	Gate  Gate  // in effect only when GateChecks() is true
}

// Learn says whether the addresses the resolver returns for allowed names
// become allowed destinations, and for how long.
type Learn struct {
	Enabled  bool
	Lifetime time.Duration // after the last upstream answer that returned the address
	Max      int           // size cap of the learned set
}

// Learns reports whether resolving an allowed name opens its addresses:
// only with both egress and DNS in allowlist mode (with global DNS every
// name would open; with global egress there is nothing to open).
func (p Policy) Learns() bool {
	return p.Learn.Enabled && p.Egress == EgressAllowlist && p.DNS == DNSAllowlist
}

// AnswerTTL is the longest TTL the resolver may hand out or cache when it
// learns: half the lifetime, so every answer the bottle or the cache holds
// expires well before the set element that makes it reachable (floor 1 s).
func (p Policy) AnswerTTL() time.Duration {
	return max(p.Learn.Lifetime/2, time.Second)
}

// InterceptsDNS reports whether the bottle's port-53 traffic is DNATed to the sentry.
func (p Policy) InterceptsDNS() bool {
	return p.DNS != DNSOff && p.Intercept == InterceptRedirect
}
