package policy

import (
	"fmt"
	"slices"
)

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
	// NameCheckAll: as learned, and TCP to an allowed CIDR on a checked
	// port must carry an allowed name too (the address need not have come
	// in its answer: the CIDR is allowed).
	NameCheckAll NameCheck = "all"
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

// GateChecks reports whether the name gate runs: it checks learned
// addresses (GatesLearned), allowed CIDRs (GatesCIDRs), or both.
func (p Policy) GateChecks() bool { return p.GatesLearned() || p.GatesCIDRs() }

// GatesLearned reports whether connections to learned addresses on the
// checked ports go through the gate: egress and DNS in allowlist mode with
// learning, and the check on.
func (p Policy) GatesLearned() bool {
	return (p.Gate.Check == NameCheckLearned || p.Gate.Check == NameCheckAll) && p.Learns()
}

// GatesCIDRs reports whether connections to allowed CIDRs on the checked
// ports go through the gate too (NameCheckAll, with names to check them by).
func (p Policy) GatesCIDRs() bool {
	return p.Gate.Check == NameCheckAll && p.Egress == EgressAllowlist && p.DNS == DNSAllowlist
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

// GateText says in a line what the name gate checks, for rbm config check
// and the sentry's ready line.
func (p Policy) GateText() string {
	switch {
	case !p.GateChecks() && p.Learns():
		return "names unchecked (a learned address opens every name on it, on every port)"
	case !p.GateChecks():
		return "off (nothing learned to check)"
	}
	what := "learned addresses"
	if p.GatesCIDRs() {
		what = "allowed CIDRs and learned addresses"
		if !p.GatesLearned() {
			what = "allowed CIDRs"
		}
	}
	text := fmt.Sprintf("names checked on %s, TCP %v", what, p.Gate.Ports)
	if p.GatesLearned() {
		text += fmt.Sprintf("; learned addresses open no other port but %v, no UDP", p.AddressPorts())
	}
	return text
}
