package firewall

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// IDPrefix starts every rule comment and counter id, so rbm's rules (and
// only those) are found again in a dump of the kernel's ruleset.
const IDPrefix = "rbm:"

// Counter ids that do not name a rule but a set element: an allowed CIDR
// or a learned address. Every backend reports element counters under these
// ids, so a CIDR's counter reads the same whether it is a rule or an element.
// The allowed CIDR's id is the decision's (policy.AllowID).
const learnedPrefix = policy.RuleLearned + "-"

// AllowID is the counter id of one allowed CIDR, without IDPrefix.
func AllowID(c netip.Prefix) string { return policy.AllowID(c) }

// LearnedID is the counter id of one learned address, without IDPrefix.
func LearnedID(a netip.Addr) string { return learnedPrefix + a.String() }

// Denials: the rules whose packets the sentry reports as refused, each
// logged (rate-limited in the kernel) to LogGroup by a twin rule placed
// just before it, with the rule's id as the log prefix. Replies, invalid
// packets and traffic from the uplink are not the bottle's attempts and
// are not logged.
var Denials = []string{
	policy.RuleSpoof, policy.RuleHairpin, policy.DNSRejectRule("udp"), policy.DNSRejectRule("tcp"),
	policy.RuleLinkLocal, policy.HostRule, policy.GlobalUplink, policy.GlobalPrivate, policy.GlobalReserved,
	policy.RuleLearnGuard, policy.RuleDrop, policy.RuleEnclaveDrop,
}

// FailFast are the denials that RBRN_UPLINK_DENY=reject answers with a
// TCP reset or ICMP administratively prohibited; the others (spoofed
// sources, the sentry's own ports, DNS bypasses with their own reject)
// keep their action.
var FailFast = []string{policy.RuleHairpin, policy.RuleLinkLocal, policy.HostRule, policy.GlobalUplink, policy.GlobalPrivate, policy.GlobalReserved, policy.RuleLearnGuard, policy.RuleDrop}

// FailsFast reports whether denial id (with or without IDPrefix) follows
// RBRN_UPLINK_DENY.
func FailsFast(id string) bool { return slices.Contains(FailFast, strings.TrimPrefix(id, IDPrefix)) }

// IsDenial reports whether id (without IDPrefix) is one of Denials.
func IsDenial(id string) bool { return slices.Contains(Denials, id) }

// Denial logging, shared by every backend so the sentry reads the same
// thing from each.
const (
	// LogGroup is the netfilter log group (NFLOG) denials go to.
	LogGroup = 7353
	// LogRate and LogBurst bound, per rule, how many denied packets per
	// second reach the sentry: a flood costs the kernel a token check,
	// not the sentry a wake-up. The rest are counted (the rule's counter
	// minus its log twin's) and reported as suppressed.
	LogRate  = 50
	LogBurst = 100
	// LogSnap is how much of each packet is copied: the IPv4 header with
	// options and the ports.
	LogSnap = 96
)

// logPrefix marks the counter id of a denial's log twin.
const logPrefix = "log:"

// LogID is the counter id of the log twin of denial id, without IDPrefix.
func LogID(id string) string { return logPrefix + id }

// IsLogID reports whether a counter id (with or without IDPrefix) is a log twin's.
func IsLogID(id string) bool {
	return strings.HasPrefix(strings.TrimPrefix(id, IDPrefix), logPrefix)
}
