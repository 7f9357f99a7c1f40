package dns

import (
	"slices"
	"testing"

	"github.com/recipe-bottle/rbm/internal/policy"
)

func TestMinimalDomains(t *testing.T) {
	tests := []struct {
		in, want []string
	}{
		{nil, nil},
		{[]string{"b.test", "a.test", "b.test"}, []string{"a.test", "b.test"}},
		{[]string{"api.allowed.test", "allowed.test", "x.y.allowed.test"}, []string{"allowed.test"}},
		// Whole labels only: notallowed.test is not under allowed.test.
		{[]string{"allowed.test", "notallowed.test"}, []string{"allowed.test", "notallowed.test"}},
		{[]string{"www.a.test", "www.b.test"}, []string{"www.a.test", "www.b.test"}},
	}
	for _, tt := range tests {
		in := slices.Clone(tt.in)
		got := minimalDomains(in)
		if !slices.Equal(got, tt.want) {
			t.Errorf("minimalDomains(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !slices.Equal(in, tt.in) {
			t.Errorf("minimalDomains modified its input to %q", in)
		}
	}
}

func TestMinimalEntries(t *testing.T) {
	tests := []struct {
		m        policy.Match
		in, want []string
	}{
		{policy.MatchSubdomains, []string{"*.a.test", "a.test", "x.a.test", "*.x.a.test"}, []string{"a.test"}},
		{policy.MatchSubdomains, []string{"*.a.test", "x.a.test", "*.y.a.test", "a.b.test"}, []string{"*.a.test", "a.b.test"}},
		// Exact: a plain name covers only itself; *.d covers names under d.
		{policy.MatchExact, []string{"a.test", "x.a.test", "*.y.a.test"}, []string{"*.y.a.test", "a.test", "x.a.test"}},
		{policy.MatchExact, []string{"*.a.test", "a.test", "x.a.test", "*.y.a.test"}, []string{"*.a.test", "a.test"}},
	}
	for _, tt := range tests {
		if got := minimalEntries(tt.in, tt.m); !slices.Equal(got, tt.want) {
			t.Errorf("minimalEntries(%q, %s) = %q, want %q", tt.in, tt.m, got, tt.want)
		}
	}
}
