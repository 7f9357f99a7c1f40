package firewalltest

import (
	"context"
	"net/netip"
	"slices"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
)

// Learned lists the learned addresses, sorted by address.
func (f *Fake) Learned(context.Context) ([]firewall.Learned, error) {
	if err := f.enter(CallLearned); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]firewall.Learned, 0, len(f.learned))
	for _, l := range f.learned {
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b firewall.Learned) int { return a.Addr.Compare(b.Addr) })
	return out, nil
}

// Forget removes addrs from the learned set.
func (f *Fake) Forget(_ context.Context, addrs []netip.Addr) error {
	if err := f.enter(CallForget); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range addrs {
		delete(f.learned, a)
	}
	return nil
}

// Refresh gives the learned addrs among addrs the lifetime SetLearnLimits set.
func (f *Fake) Refresh(_ context.Context, addrs []netip.Addr) error {
	if err := f.enter(CallRefresh); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range addrs {
		if l, ok := f.learned[a]; ok {
			l.Expires = f.lifetime
			f.learned[a] = l
		}
	}
	return nil
}

// Holds reports whether addr is in the learned set.
func (f *Fake) Holds(_ context.Context, addr netip.Addr) (bool, error) {
	if err := f.enter(CallHolds); err != nil {
		return false, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.learned[addr]
	return ok, nil
}

// SetLearnLimits sets the learned set's capacity (0: unbounded) and the
// lifetime Refresh restores.
func (f *Fake) SetLearnLimits(max int, lifetime time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.max, f.lifetime = max, lifetime
}

// Learn stands for the resolver adding addr with lifetime left: false when
// the set is full and addr is not in it, as the kernel refuses it.
func (f *Fake) Learn(addr netip.Addr, left time.Duration) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.learned[addr]; !ok && f.max > 0 && len(f.learned) >= f.max {
		return false
	}
	f.learned[addr] = firewall.Learned{Addr: addr, Expires: left, Counter: f.learned[addr].Counter}
	return true
}

// SetCounters sets what Counters returns.
func (f *Fake) SetCounters(s firewall.Snapshot) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counters = s
}

// Calls lists the calls so far, in order.
func (f *Fake) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// Applied lists the rulesets applied so far, in order.
func (f *Fake) Applied() []firewall.Ruleset {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.applied)
}

// Last is the last ruleset applied, and whether there was one.
func (f *Fake) Last() (firewall.Ruleset, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.applied) == 0 {
		return firewall.Ruleset{}, false
	}
	return f.applied[len(f.applied)-1], true
}

// LockedDown reports whether the lockdown is what is loaded now.
func (f *Fake) LockedDown() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.locked
}

var _ firewall.Backend = (*Fake)(nil)
