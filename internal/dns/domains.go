package dns

import (
	"fmt"
	"slices"
	"strings"
)

// minimalDomains returns domains sorted, without duplicates and without any
// domain that is a subdomain of another one in the list: dnsmasq's
// server=/d/ and rebind-domain-ok=/d/ already cover every name under d, so
// such entries would only make the configuration say less clearly what it
// means. The input is not modified.
func minimalDomains(domains []string) []string {
	sorted := slices.Clone(domains)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	out := sorted[:0:0]
	for _, d := range sorted {
		if !coveredBy(d, sorted) {
			out = append(out, d)
		}
	}
	return out
}

// coveredBy reports whether d is a proper subdomain of any entry of list.
func coveredBy(d string, list []string) bool {
	for _, parent := range list {
		if strings.HasSuffix(d, "."+parent) {
			return true
		}
	}
	return false
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
