package nftables

import (
	"net/netip"
	"slices"
	"testing"
)

// TestElementsDropNested: nft refuses overlapping intervals, so prefixes
// inside others are left out; non-IPv4 and invalid ones too.
func TestElementsDropNested(t *testing.T) {
	in := []netip.Prefix{
		netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("10.2.3.0/24"), netip.MustParsePrefix("11.0.0.1/32"),
		netip.MustParsePrefix("2001:db8::/32"), {}, netip.MustParsePrefix("10.0.0.0/8"),
	}
	want := []string{"10.0.0.0/8", "11.0.0.1/32"}
	if got := elements(in); !slices.Equal(got, want) {
		t.Errorf("elements = %q, want %q", got, want)
	}
}
