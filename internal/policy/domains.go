package policy

import "strings"

// InAnyDomain reports whether name is one of domains or a subdomain of one:
// the sentry's allowlist (and dnsmasq's server=/d/) match that way.
func InAnyDomain(name string, domains []string) bool {
	for _, d := range domains {
		if name == d || strings.HasSuffix(name, "."+d) {
			return true
		}
	}
	return false
}

// Resolves reports whether the sentry's resolver forwards name upstream
// (rather than answering NXDOMAIN, or not running at all).
func (p Policy) Resolves(name string) bool {
	switch p.DNS {
	case DNSGlobal:
		return true
	case DNSAllowlist:
		return InAnyDomain(name, p.AllowedDomains)
	}
	return false
}
