// Package policy holds the resolved, validated decision of what a bottle may
// reach: a plain value with no I/O, from which every artefact is rendered.
package policy

import "net/netip"

// Egress says where forwarded bottle traffic may go.
type Egress string

// Egress modes.
const (
	EgressNone      Egress = "none"      // RBRN_UPLINK_ACCESS_ENABLED=false
	EgressAllowlist Egress = "allowlist" // only AllowedCIDRs
	EgressGlobal    Egress = "global"    // any destination except link-local
)

// DNS says which names the sentry's resolver answers.
type DNS string

// DNS modes.
const (
	DNSOff       DNS = "off"       // no resolver; port 53 is rejected
	DNSAllowlist DNS = "allowlist" // AllowedDomains (and subdomains) only, others NXDOMAIN
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
	AllowedCIDRs []netip.Prefix // masked, de-duplicated, sorted

	DNS            DNS
	AllowedDomains []string   // lowercase, no trailing dot, de-duplicated
	Upstream       netip.Addr // resolver the sentry forwards allowed names to
	RebindOK       []string   // allowed domains exempt from rebinding protection
	Intercept      Intercept

	Entry *Entry // nil when the entry port is disabled
}

// InterceptsDNS reports whether the bottle's port-53 traffic is DNATed to the sentry.
func (p Policy) InterceptsDNS() bool {
	return p.DNS != DNSOff && p.Intercept == InterceptRedirect
}
