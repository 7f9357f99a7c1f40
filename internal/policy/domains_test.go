package policy

import "testing"

func TestInAnyDomain(t *testing.T) {
	domains := []string{"allowed.test", "pypi.test"}
	for name, want := range map[string]bool{
		"allowed.test": true, "www.allowed.test": true, "a.b.pypi.test": true,
		"notallowed.test": false, "allowed.test.evil": false, "test": false, "": false,
	} {
		if got := InAnyDomain(name, domains); got != want {
			t.Errorf("InAnyDomain(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestResolves(t *testing.T) {
	allow := Policy{DNS: DNSAllowlist, AllowedDomains: []string{"allowed.test"}}
	if !allow.Resolves("x.allowed.test") || allow.Resolves("forbidden.test") {
		t.Error("allowlist mode must resolve allowed domains only")
	}
	if !(Policy{DNS: DNSGlobal}).Resolves("anything.test") || (Policy{DNS: DNSOff}).Resolves("allowed.test") {
		t.Error("global resolves everything, off nothing")
	}
}
