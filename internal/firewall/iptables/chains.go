package iptables

import "github.com/recipe-bottle/rbm/internal/firewall"

// Chains of our own; built-in chains only jump to them, so every rule rbm
// owns sits under one of these names.
const (
	chainIngress = "RBM-INGRESS"
	chainForward = "RBM-FORWARD"
	chainEgress  = "RBM-EGRESS"
	chainReject  = "RBM-REJECT" // denials that fail fast (RBRN_UPLINK_DENY=reject)
)

// idPrefix starts every rule comment.
const idPrefix = firewall.IDPrefix

// Sets of our own (ipset names are global to the network namespace).
const (
	setAllowed = "rbm-allow4" // RBRN_UPLINK_ALLOWED_CIDRS, hash:net with counters
	setLearned = "rbm-learn4" // addresses dnsmasq learned, hash:ip with timeout
	setNever   = "rbm-never4" // what a learned address never opens
	setHost    = "rbm-host4"  // the host's own addresses (policy.HostAddrs)
)
