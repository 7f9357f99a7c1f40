package policy

import "slices"

// NameCheck says which connections the sentry's name gate reads the name of.
type NameCheck string

// Name check modes.
const (
	// NameCheckOff: a learned address is open to every name on it (and on
	// every port): the behaviour before the gate.
	NameCheckOff NameCheck = "off"
	// NameCheckLearned: TCP to a learned address on a checked port passes
	// only with a TLS SNI or HTTP Host that is allowed and whose own answer
	// carried that address; other ports open only if listed in LearnPorts.
	NameCheckLearned NameCheck = "learned"
)

// Gate is what the sentry's name gate enforces.
type Gate struct {
	Check NameCheck
	// Ports are the TCP ports whose connections to learned addresses the
	// gate reads (TLS or HTTP, told apart by the first bytes).
	Ports []uint16
	// LearnPorts are the TCP ports a learned address opens at all while the
	// gate checks; those not in Ports stay address-level (SSH to a code host).
	LearnPorts []uint16
	// AllowECH lets ClientHellos with an encrypted_client_hello extension
	// pass on their outer name (a residual channel: the inner name is unseen).
	AllowECH bool
}

// GateChecks reports whether the name gate runs: it needs learned
// addresses to check, so egress and DNS in allowlist mode with learning.
func (p Policy) GateChecks() bool {
	return p.Gate.Check == NameCheckLearned && p.Learns()
}

// AddressPorts are the TCP ports a learned address opens to any name (the
// learn ports that are not checked), sorted; only meaningful while
// GateChecks: without the gate a learned address opens every port and
// protocol. The checked ports are never among them, so a connection the
// gate did not see is never forwarded unchecked.
func (p Policy) AddressPorts() []uint16 {
	var out []uint16
	for _, port := range p.Gate.LearnPorts {
		if !slices.Contains(p.Gate.Ports, port) {
			out = append(out, port)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
