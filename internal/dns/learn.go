package dns

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// setTarget is what a set target may look like: "rbm-learn4" or
// "4#inet#rbm#learn4". Anything else would be a second directive.
var setTarget = regexp.MustCompile(`^[A-Za-z0-9#_-]{1,64}$`)

// writeLearn makes dnsmasq add every IPv4 address of an upstream answer
// for an allowed name to the learned set, before the answer reaches the
// bottle (so a connect right after the answer finds it open).
//
// dnsmasq adds to the set only when an answer comes from upstream, never
// on a cache hit, and gives no per-element timeout: the set's own timeout
// (the lifetime) applies from the last upstream answer. Capping every TTL
// dnsmasq caches (max-cache-ttl) and hands out (max-ttl) at half the
// lifetime means no answer the bottle or the cache holds can outlive the
// element that makes its address reachable: the answer that created or
// last refreshed the element expires half a lifetime before it.
func writeLearn(b *strings.Builder, p policy.Policy, set LearnSet) {
	if (set.Directive != "ipset" && set.Directive != "nftset") || !setTarget.MatchString(set.Target) {
		panic(fmt.Sprintf("dns: invalid learned set %q %q", set.Directive, set.Target))
	}
	ttl := int(p.AnswerTTL().Seconds())
	fmt.Fprintf(b, "\n# Addresses of allowed names open for %d s after each upstream answer (the set's timeout);\n", int(p.Learn.Lifetime.Seconds()))
	b.WriteString("# no cached or handed-out answer may live longer than half of that.\n")
	fmt.Fprintf(b, "max-ttl=%d\nmax-cache-ttl=%d\n", ttl, ttl)
	// ipset=/d/ covers d and the names under it; a "*.d" or exact entry
	// needs no narrower line, because only names that server= lines send
	// upstream ever get an upstream answer to learn from.
	var domains []string
	for _, e := range p.AllowedDomains {
		d, _ := policy.Wildcard(e)
		domains = append(domains, d)
	}
	for _, d := range minimalDomains(domains) {
		fmt.Fprintf(b, "%s=/%s/%s\n", set.Directive, mustDomain(d), set.Target)
	}
}
