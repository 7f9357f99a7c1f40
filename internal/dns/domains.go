package dns

import (
	"fmt"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// minimalDomains returns domains sorted, without duplicates and without any
// entry another one already covers: dnsmasq's server=/d/ and
// rebind-domain-ok=/d/ cover every name under d, so such entries would only
// make the configuration say less clearly what it means. The input is not
// modified. Entries are read with the subdomains meaning.
func minimalDomains(domains []string) []string {
	return minimalEntries(domains, policy.MatchSubdomains)
}

// minimalEntries is minimalDomains for allowed-domain entries ("d" or
// "*.d") read with m: an entry goes when another one covers every name it
// does.
func minimalEntries(entries []string, m policy.Match) []string {
	sorted := slices.Clone(entries)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	out := sorted[:0:0]
	for _, e := range sorted {
		if !slices.ContainsFunc(sorted, func(f string) bool { return f != e && covers(f, e, m) }) {
			out = append(out, e)
		}
	}
	return out
}

// covers reports whether entry f covers every name entry e does, under m:
// for a plain e, f must match e's name (a plain f read with subdomains, or
// "*.p" above it, then also covers everything under it); for "*.d", f must
// cover the names under d.
func covers(f, e string, m policy.Match) bool {
	d, wild := policy.Wildcard(e)
	if !wild {
		return policy.EntryMatches(f, d, m)
	}
	p, fwild := policy.Wildcard(f)
	if !fwild && m == policy.MatchExact {
		return false
	}
	return d == p || strings.HasSuffix(d, "."+p)
}

// mustDomain panics unless d is a plain lowercase hostname. The policy
// promises validated domains; this guard only makes sure that a broken
// promise can never turn a "domain" into extra dnsmasq directives (a newline)
// or a different match (a '/' or '#').
func mustDomain(d string) string {
	if !isHostname(d) {
		panic(fmt.Sprintf("dns: policy holds an invalid domain %q", d))
	}
	return d
}

// isHostname reports whether d is dot-separated labels of [a-z0-9_-],
// each 1-63 bytes, 253 bytes at most.
func isHostname(d string) bool {
	if d == "" || len(d) > 253 {
		return false
	}
	for label := range strings.SplitSeq(d, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}
