package firewall

import "net/netip"

// IDPrefix starts every rule comment and counter id, so rbm's rules (and
// only those) are found again in a dump of the kernel's ruleset.
const IDPrefix = "rbm:"

// Counter ids that do not name a rule but a set element: an allowed CIDR
// or a learned address. Every backend reports element counters under these
// ids, so a CIDR's counter reads the same whether it is a rule or an element.
const (
	allowPrefix   = "fwd-allow-"
	learnedPrefix = "fwd-learned-"
)

// AllowID is the counter id of one allowed CIDR, without IDPrefix.
func AllowID(c netip.Prefix) string { return allowPrefix + c.String() }

// LearnedID is the counter id of one learned address, without IDPrefix.
func LearnedID(a netip.Addr) string { return learnedPrefix + a.String() }
