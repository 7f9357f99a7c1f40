package policy

// Rule ids: a Decision names the rule that decides it, and the firewall's
// rule model (firewall.Build) gives that very rule this id, so the two
// cannot drift. Ids only the ruleset knows (chain jumps, loopback,
// established) stand in the model alone.
const (
	RuleSpoof       = "fwd-spoof"        // a source other than the bottle's
	RuleHairpin     = "fwd-hairpin"      // back into the enclave
	RuleLinkLocal   = "fwd-linklocal"    // link-local: cloud metadata
	RuleAllowCIDRs  = "fwd-allow-cidrs"  // an allowed CIDR (per CIDR: AllowID)
	RuleAllowGlobal = "fwd-allow-global" // global egress
	RuleLearnGuard  = "fwd-learn-guard"  // a learned address that must never open
	RuleLearned     = "fwd-learned"      // a learned address (per address: fwd-learned-ADDR)
	RuleDrop        = "fwd-drop"         // nothing allows it
	RuleEnclaveDrop = "in-enclave-drop"  // the sentry itself, but for DNS

	HostRule       = "fwd-host"            // the host's own addresses
	GlobalUplink   = "fwd-global-uplink"   // the uplink's subnet: the host's bridge address, neighbouring containers
	GlobalPrivate  = "fwd-global-private"  // RFC 1918 and shared address space (CGNAT)
	GlobalReserved = "fwd-global-reserved" // this network, loopback, multicast, reserved

	allowPrefix = "fwd-allow-"
)

// DNSRejectRule refuses DNS to a resolver other than the sentry's, per
// protocol ("udp", "tcp").
func DNSRejectRule(proto string) string { return "fwd-dns-reject-" + proto }

// DNSInterceptRule hands the bottle's DNS to the sentry's resolver.
func DNSInterceptRule(proto string) string { return "nat-dns-" + proto }

// DNSAnswerRule accepts the bottle's DNS at the sentry's resolver.
func DNSAnswerRule(proto string) string { return "in-dns-" + proto }
