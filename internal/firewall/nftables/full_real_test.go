package nftables_test

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall/nftables"
)

// TestLearnedFull: with learn4 at its size, Forget still deletes the held
// address among absent ones, and Refresh refreshes the held ones and
// reports the rest with ErrLearnedFull (the kernel refuses to add them).
func TestLearnedFull(t *testing.T) {
	needRoot(t)
	ns := newNetns(t)
	ctx := context.Background()
	fw := nftables.Firewall{Runner: ns}
	p := learningPolicy(100)
	p.Learn.Max = 2
	if err := fw.Apply(ctx, fw.Render(p, realIfs)); err != nil {
		t.Fatal(err)
	}
	a, b, c := netip.MustParseAddr("198.51.100.1"), netip.MustParseAddr("198.51.100.2"), netip.MustParseAddr("198.51.100.3")
	ns.Must(t, "nft", "add", "element", "inet", "rbm", "learn4", "{ 198.51.100.1 expires 10s, 198.51.100.2 }")
	for addr, want := range map[netip.Addr]bool{a: true, c: false} {
		if got, err := fw.Holds(ctx, addr); err != nil || got != want {
			t.Errorf("Holds(%s) = %v, %v; want %v", addr, got, err, want)
		}
	}
	err := fw.Refresh(ctx, []netip.Addr{a, c})
	t.Log(err)
	if !errors.Is(err, nftables.ErrLearnedFull) {
		t.Fatalf("refresh into a full set: err = %v, want ErrLearnedFull", err)
	}
	ls, err := fw.Learned(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.Addr == a && l.Expires < 90*time.Second {
			t.Errorf("%s not refreshed: expires in %v", a, l.Expires)
		}
	}
	if err := fw.Forget(ctx, []netip.Addr{c, b}); err != nil {
		t.Fatalf("forget in a full set: %v", err)
	}
	if got := learnedAddrs(t, fw); !slices.Equal(got, []netip.Addr{a}) {
		t.Errorf("after Forget, learn4 = %v, want [%s]", got, a)
	}
}
