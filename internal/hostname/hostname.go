// Package hostname says which names rbm may show as a setting to allow:
// host names only (no byte a shell, a config file or a terminal would
// read), never a special-use name (RFC 6761, RFC 7686) and never a public
// suffix as a whole. Pure.
package hostname

import (
	"fmt"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Length limits of a DNS name (RFC 1035), without the root's dot.
const (
	MaxName  = 253
	MaxLabel = 63
)

// Check returns an error unless name is a host name: labels of 1 to 63
// letters, digits, '-' and '_' (service labels), separated by dots, at
// most 253 bytes, an optional final dot. The error says why, escaping
// nothing: callers show name through safetext.
func Check(name string) error {
	n := strings.TrimSuffix(name, ".")
	if n == "" || len(n) > MaxName {
		return fmt.Errorf("expected 1 to %d bytes, got %d", MaxName, len(n))
	}
	for _, label := range strings.Split(n, ".") {
		if label == "" || len(label) > MaxLabel {
			return fmt.Errorf("expected labels of 1 to %d bytes", MaxLabel)
		}
		for i := 0; i < len(label); i++ {
			if !hostByte(label[i]) {
				return fmt.Errorf("byte %#02x is not a letter, digit, '-' or '_'", label[i])
			}
		}
	}
	return nil
}

// Allowable reports whether name is what RBRN_UPLINK_ALLOWED_DOMAINS
// accepts (the stricter letters-digits-hyphen rule, lowercase, no '_':
// each label starts and ends with a letter or digit); config and suggest
// share it, so suggest never proposes a name config check refuses.
func Allowable(name string) bool {
	n := strings.TrimSuffix(name, ".")
	if n == "" || len(n) > MaxName {
		return false
	}
	for _, label := range strings.Split(n, ".") {
		if !LDHLabel(label) {
			return false
		}
	}
	return true
}

// LDHLabel reports whether label is 1 to 63 lowercase letters, digits and
// inner hyphens.
func LDHLabel(label string) bool {
	if label == "" || len(label) > MaxLabel || label[0] == '-' || label[len(label)-1] == '-' {
		return false
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func hostByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// specialUse are the top-level names no allowlist should hold as a whole:
// they never mean a name on the internet. "invalid" also holds the
// sentry's readiness name, which must never be forwarded upstream.
var specialUse = []string{"arpa", "example", "invalid", "local", "localhost", "onion", "test"}

// underToo are special-use domains whose every name is special: localhost
// is loopback (RFC 6761 6.3), invalid never exists and holds the readiness
// name, onion is Tor's (RFC 7686). Names under test and example are the
// documentation's stand-ins and stay usable.
var underToo = []string{"invalid", "localhost", "onion"}

// SpecialUse returns the special-use domain name is (or, for localhost,
// invalid and onion, lies under), and whether it is one. A leading "*."
// is read as the domain it covers. Case and a final dot do not matter.
func SpecialUse(name string) (string, bool) {
	n := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(name, "*."), "."))
	for _, s := range specialUse {
		if n == s {
			return s, true
		}
	}
	for _, s := range underToo {
		if strings.HasSuffix(n, "."+s) {
			return s, true
		}
	}
	return "", false
}

// PublicSuffix reports whether name is, as a whole, a public suffix (com,
// co.uk, github.io; any single label): allowing it allows every name
// anyone registers under it. A leading "*." is read as the domain.
func PublicSuffix(name string) bool {
	n := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(name, "*."), "."))
	if n == "" {
		return false
	}
	suffix, _ := publicsuffix.PublicSuffix(n)
	return suffix == n
}
