package firewalltest

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/backends"
	"github.com/recipe-bottle/rbm/internal/policy"
)

func TestFakeRecordsAndFails(t *testing.T) {
	for _, name := range backends.Names {
		t.Run(name, func(t *testing.T) {
			f, err := New(name)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			rs := f.Render(policy.Policy{}, firewall.IDInterfaces)
			if len(rs.Docs) == 0 || f.Name() != name {
				t.Fatalf("fake %s renders no documents or is called %s", name, f.Name())
			}
			boom := errors.New("boom")
			f.Fail(CallApply, boom)
			if err := f.Apply(ctx, rs); !errors.Is(err, boom) {
				t.Errorf("Apply told to fail returned %v", err)
			}
			if _, ok := f.Last(); ok {
				t.Error("a failed Apply was recorded as applied")
			}
			f.Fail(CallApply, nil)
			if err := f.Apply(ctx, rs); err != nil {
				t.Fatal(err)
			}
			if err := f.Lockdown(ctx); err != nil || !f.LockedDown() {
				t.Errorf("Lockdown: %v, locked %v", err, f.LockedDown())
			}
			if want := []string{CallApply, CallApply, CallLockdown}; !slices.Equal(f.Calls(), want) {
				t.Errorf("calls %q, want %q", f.Calls(), want)
			}
			if _, err := f.Factory()("nope"); err == nil {
				t.Error("the factory accepted an unknown backend")
			}
		})
	}
}

func TestFakeLearnedSet(t *testing.T) {
	f, _ := New(backends.Names[0])
	ctx := context.Background()
	f.SetLearnLimits(1, time.Hour)
	a, b := netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("203.0.113.8")
	if !f.Learn(a, time.Minute) || f.Learn(b, time.Minute) {
		t.Fatal("a set of one must take the first address and refuse the second")
	}
	if held, _ := f.Holds(ctx, b); held {
		t.Error("a refused address is held")
	}
	f.Refresh(ctx, []netip.Addr{a, b})
	if l, _ := f.Learned(ctx); len(l) != 1 || l[0].Addr != a || l[0].Expires != time.Hour {
		t.Errorf("after Refresh: %+v; want %s with the full lifetime", l, a)
	}
	f.Forget(ctx, []netip.Addr{a})
	if held, _ := f.Holds(ctx, a); held {
		t.Error("a forgotten address is held")
	}
	f.SetCounters(firewall.Snapshot{Rules: map[string]firewall.Counter{"rbm:fwd-drop": {Packets: 2}}})
	if s, _ := f.Counters(ctx); s.Rules["rbm:fwd-drop"].Packets != 2 {
		t.Errorf("counters %+v", s)
	}
}
