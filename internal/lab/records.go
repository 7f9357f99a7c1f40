package lab

import (
	"github.com/recipe-bottle/rbm/internal/policy"
)

// Names the lab's stand-in resolver knows, besides the allowed domains.
const (
	forbiddenName = "forbidden.test"
	fallbackName  = "allowed.test"
)

// AllowedName is a name the policy lets the bottle resolve and whose
// answer passes rebinding protection: dnsmasq treats the documentation
// ranges the lab answers with as private, so the name must be in
// RBRN_DNS_REBIND_OK_DOMAINS. Prefer such a domain; else the first allowed.
func AllowedName(p policy.Policy) string {
	if p.DNS != policy.DNSAllowlist || len(p.AllowedDomains) == 0 {
		return fallbackName
	}
	for _, d := range p.AllowedDomains {
		if name := policy.ExampleName(d); policy.InAnyDomain(name, p.RebindOK) {
			return name
		}
	}
	return policy.ExampleName(p.AllowedDomains[0])
}

// BaitDomain is an allowed domain that rebinding protection covers, whose
// private.<d> and metadata.<d> resolve: their private and link-local
// answers must be dropped. Empty when there is none (every allowed domain
// exempt, or, with exact names, no "*." entry outside the exempt ones).
func BaitDomain(p policy.Policy) string {
	domains := p.AllowedDomains
	if p.DNS == policy.DNSGlobal {
		domains = []string{"bait.test"}
	}
	for _, e := range domains {
		d, _ := policy.Wildcard(e)
		if !policy.InAnyDomain(d, p.RebindOK) && p.Resolves("private."+d) && p.Resolves("metadata."+d) {
			return d
		}
	}
	return ""
}

// ForbiddenName is a name outside every allowed domain.
func ForbiddenName(p policy.Policy) string {
	name := forbiddenName
	for i := 0; policy.InAnyDomain(name, p.AllowedDomains); i++ {
		name = "forbidden" + string(rune('a'+i)) + ".test"
	}
	return name
}

// PrivateName and MetadataName are allowed names whose upstream answers
// are a private and a link-local (cloud metadata) address: rebinding bait.
func PrivateName(p policy.Policy) string  { return "private." + BaitDomain(p) }
func MetadataName(p policy.Policy) string { return "metadata." + BaitDomain(p) }

// cnamePrivateName and cnameMetadataName are allowed names the upstream
// answers with a CNAME to a name outside every allowed domain, and that
// name's private or link-local address: rebinding through an alias.
func cnamePrivateName(p policy.Policy) string  { return "cname-private." + BaitDomain(p) }
func cnameMetadataName(p policy.Policy) string { return "cname-metadata." + BaitDomain(p) }

// cnames are the stand-in resolver's aliases (none without a bait domain).
func cnames(p policy.Policy) map[string]string {
	if BaitDomain(p) == "" {
		return nil
	}
	return map[string]string{cnamePrivateName(p): privateTarget, cnameMetadataName(p): metadataTarget}
}

// Targets of the CNAME bait, outside every allowed domain.
const (
	privateTarget  = "private-host.elsewhere.test"
	metadataTarget = "metadata-host.elsewhere.test"
)

// Rebinding bait answers. They are only ever DNS answers; no probe sends a
// packet to them.
const (
	privateAnswer  = "10.255.0.99"
	metadataAnswer = "169.254.169.254"
)

// LearnName and Learn2Name are allowed names whose addresses are in no
// allowed CIDR (a.Learned, a.Learned2): resolving them is what opens them.
// Every name under RaceDomain answers a.Learned too, so a test can ask a
// name no cache has seen as often as it likes.
func LearnName(p policy.Policy) string  { return "learn." + AllowedName(p) }
func Learn2Name(p policy.Policy) string { return "learn2." + AllowedName(p) }
func RaceDomain(p policy.Policy) string { return "race." + AllowedName(p) }

// HostName is an allowed name whose answer is the host's own address
// (a.Host): resolving it must not open it.
func HostName(p policy.Policy) string { return "host." + AllowedName(p) }

// records are the stand-in resolver's A records. Allowed names point at the
// allowed server, or at the learned one when no CIDR is allowed (never at
// the forbidden server: a learning sentry would open it); the forbidden
// name points at the forbidden server.
func records(p policy.Policy, a Addresses) map[string]string {
	target := a.Allowed
	if !target.IsValid() {
		target = a.Learned
	}
	out := map[string]string{
		AllowedName(p):          target.String(),
		"www." + AllowedName(p): target.String(),
		LearnName(p):            a.Learned.String(),
		Learn2Name(p):           a.Learned2.String(),
		HostName(p):             a.Host.String(),
		"*." + RaceDomain(p):    a.Learned.String(),
		ForbiddenName(p):        a.Forbidden.String(),
		privateTarget:           privateAnswer,
		metadataTarget:          metadataAnswer,
	}
	if BaitDomain(p) != "" {
		out[PrivateName(p)], out[MetadataName(p)] = privateAnswer, metadataAnswer
	}
	for _, d := range p.AllowedDomains {
		if _, named := out[d]; !named { // an allowed learned name keeps its address
			out[d] = target.String()
		}
	}
	return out
}
