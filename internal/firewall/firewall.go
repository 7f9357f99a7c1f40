// Package firewall renders the sentry's iptables rulesets from a policy.Policy
// and applies them through runner.Runner, in one atomic iptables-restore call
// per address family. Rendering is pure; every rule carries a stable
// "rbm:<id>" comment so its counters can be read back and attributed.
package firewall

import "net/netip"

// Interfaces names the sentry's two links. The sentry finds them at run time
// by address and validates them before rendering: the renderer pastes them
// into rules unchecked, so they must be trusted, validated values.
type Interfaces struct {
	Enclave string // faces the bottle
	Uplink  string // faces the workstation and the outside
	// UplinkGateway is the uplink's default gateway, if it has one: with
	// Podman, where traffic from the host's published port comes from.
	UplinkGateway netip.Addr
}

// Chains of our own; built-in chains only jump to them, so every rule rbm
// owns sits under one of these names.
const (
	chainIngress = "RBM-INGRESS"
	chainForward = "RBM-FORWARD"
	chainEgress  = "RBM-EGRESS"
)

// idPrefix starts every rule comment, so rbm's rules (and only those) are
// found again in iptables-save output.
const idPrefix = "rbm:"
