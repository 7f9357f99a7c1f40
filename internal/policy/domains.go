package policy

import "strings"

// Match says what a plain entry of the allowed domains covers. An entry
// written "*.d" always means the names under d, not d itself.
type Match string

// Domain match modes.
const (
	// MatchSubdomains: a plain entry d is d and every name under it
	// (the request's meaning, and dnsmasq's server=/d/).
	MatchSubdomains Match = "subdomains"
	// MatchExact: a plain entry d is the name d only; every other name
	// under it is NXDOMAIN, answered by the sentry, so query names cannot
	// carry data out.
	MatchExact Match = "exact"
)

// Wildcard splits an entry into its domain and whether it was "*.d".
func Wildcard(entry string) (domain string, wildcard bool) {
	return strings.CutPrefix(entry, "*.")
}

// EntryMatches reports whether entry, read with m, covers name.
func EntryMatches(entry, name string, m Match) bool {
	d, wild := Wildcard(entry)
	under := strings.HasSuffix(name, "."+d)
	switch {
	case wild:
		return under
	case m == MatchExact:
		return name == d
	}
	return name == d || under
}

// InAnyDomain reports whether name is one of domains or a subdomain of one
// ("*.d" entries: a name under d). This is the subdomains meaning, the one
// of dnsmasq's rebind-domain-ok=/d/ and of a suggestion's coverage.
func InAnyDomain(name string, domains []string) bool {
	return inAny(name, domains, MatchSubdomains)
}

func inAny(name string, entries []string, m Match) bool {
	for _, e := range entries {
		if EntryMatches(e, name, m) {
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
		return inAny(name, p.AllowedDomains, p.Match.OrDefault())
	}
	return false
}

// OrDefault is m, or MatchSubdomains when m is unset.
func (m Match) OrDefault() Match {
	if m == "" {
		return MatchSubdomains
	}
	return m
}

// ExampleName is a concrete name an entry allows: d itself, or www.d for "*.d".
func ExampleName(entry string) string {
	if d, wild := Wildcard(entry); wild {
		return "www." + d
	}
	return entry
}
