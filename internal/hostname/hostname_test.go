package hostname_test

import (
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/dns"
	"github.com/recipe-bottle/rbm/internal/hostname"
)

func TestCheck(t *testing.T) {
	for _, ok := range []string{"allowed.test", "a-b.c_d.test", "_sip._tcp.example.test", "X.TEST.", strings.Repeat("a", 63) + ".test"} {
		if err := hostname.Check(ok); err != nil {
			t.Errorf("Check(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "a..test", ".a.test", "a b.test", "a\x00.test", "a\x1b[2J.test", "z$(touch x).test",
		"a`id`.test", "a'.test", `a".test`, "a#.test", "a=b.test", "a\n.test", "a*.test", "caf\u00e9.test", "a/b.test",
		strings.Repeat("a", 64) + ".test", strings.Repeat("a.", 127) + "test"} {
		if err := hostname.Check(bad); err == nil {
			t.Errorf("Check(%q) = nil, want an error", bad)
		}
	}
}

func TestSpecialUse(t *testing.T) {
	for _, n := range []string{"invalid", "INVALID.", "*.invalid", "local", "localhost", "test", "*.test", "arpa", "example", "onion",
		"x.localhost", "rbm-ready.invalid", "abc.onion"} {
		if _, ok := hostname.SpecialUse(n); !ok {
			t.Errorf("SpecialUse(%q) = false, want true", n)
		}
	}
	for _, n := range []string{"allowed.test", "*.allowed.test", "api.example", "in-addr.arpa", "udp.local", "invalid.test", "testing"} {
		if s, ok := hostname.SpecialUse(n); ok {
			t.Errorf("SpecialUse(%q) = %q, want none", n, s)
		}
	}
	// The sentry's readiness name is special: never proposed, never allowed.
	if _, ok := hostname.SpecialUse(dns.ReadyDomain); !ok {
		t.Errorf("the readiness domain %q is not special-use here", dns.ReadyDomain)
	}
}

func TestPublicSuffix(t *testing.T) {
	for _, n := range []string{"com", "co.uk", "github.io", "*.com", "COM.", "test", "anything"} {
		if !hostname.PublicSuffix(n) {
			t.Errorf("PublicSuffix(%q) = false, want true", n)
		}
	}
	for _, n := range []string{"example.com", "bbc.co.uk", "me.github.io", "allowed.test", "pypi.org", ""} {
		if hostname.PublicSuffix(n) {
			t.Errorf("PublicSuffix(%q) = true, want false", n)
		}
	}
}

func TestAllowable(t *testing.T) {
	for _, n := range []string{"allowed.test", "a-b.test", "x1.test.", strings.Repeat("a", 63) + ".test"} {
		if !hostname.Allowable(n) {
			t.Errorf("Allowable(%q) = false", n)
		}
	}
	for _, n := range []string{"", "A.test", "_dmarc.test", "-a.test", "a-.test", "a..test", "a b.test", strings.Repeat("a", 64) + ".test"} {
		if hostname.Allowable(n) {
			t.Errorf("Allowable(%q) = true", n)
		}
	}
}
