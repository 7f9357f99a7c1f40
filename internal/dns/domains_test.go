package dns

import (
	"slices"
	"testing"
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
