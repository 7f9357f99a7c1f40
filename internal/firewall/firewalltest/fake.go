// Package firewalltest is an in-memory firewall.Backend for tests of what
// drives a backend (the sentry), in the manner of knftables' Fake: it
// renders with the real backend of the same name, records what was applied,
// holds learned addresses with their lifetimes and counters the test sets,
// and fails a call when told to. No command runs and no kernel is touched.
package firewalltest

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/backends"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// Call names, as Calls lists them and Fail takes them.
const (
	CallCheck    = "check"
	CallApply    = "apply"
	CallLockdown = "lockdown"
	CallCounters = "counters"
	CallLearned  = "learned"
	CallForget   = "forget"
	CallRefresh  = "refresh"
	CallHolds    = "holds"
)

// Fake is a firewall.Backend in memory; safe for concurrent use.
type Fake struct {
	real firewall.Backend // renders and names the resolver's set

	// OnCall, if set, hears every call's name as it happens (after its
	// failure, if any, was decided), so a test can order it among its own
	// records (sysctl writes, ...). Set before use.
	OnCall func(call string)

	mu       sync.Mutex
	calls    []string
	applied  []firewall.Ruleset
	locked   bool // the last load was the lockdown
	fail     map[string]error
	learned  map[netip.Addr]firewall.Learned
	max      int           // learned set's capacity; 0: unbounded
	lifetime time.Duration // what Refresh restores
	counters firewall.Snapshot
}

// New returns a fake of the backend called name (a value of
// RBRR_FIREWALL_BACKEND); its Render is that backend's.
func New(name string) (*Fake, error) {
	fw, err := backends.New(name, nil) // rendering runs nothing
	if err != nil {
		return nil, err
	}
	return &Fake{real: fw, fail: map[string]error{}, learned: map[netip.Addr]firewall.Learned{}}, nil
}

// Factory returns a constructor for the sentry's backend field that hands
// out f for f's name and for "" (the default, before a configuration names
// one) and refuses any other, as backends.New does.
func (f *Fake) Factory() func(name string) (firewall.Backend, error) {
	return func(name string) (firewall.Backend, error) {
		if name != "" && name != f.Name() {
			if _, err := backends.New(name, nil); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("firewalltest: the test prepared backend %s, not %s", f.Name(), name)
		}
		return f, nil
	}
}

// Fail makes every later call named call return err (nil: succeed again).
func (f *Fake) Fail(call string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil {
		delete(f.fail, call)
		return
	}
	f.fail[call] = err
}

// enter records call and returns its prepared failure.
func (f *Fake) enter(call string) error {
	f.mu.Lock()
	f.calls = append(f.calls, call)
	err := f.fail[call]
	hook := f.OnCall
	f.mu.Unlock()
	if hook != nil {
		hook(call)
	}
	return err
}

// Name is the real backend's.
func (f *Fake) Name() string { return f.real.Name() }

// Render is the real backend's: pure.
func (f *Fake) Render(p policy.Policy, ifs firewall.Interfaces) firewall.Ruleset {
	return f.real.Render(p, ifs)
}

// ResolverSet is the real backend's.
func (f *Fake) ResolverSet() (string, string) { return f.real.ResolverSet() }

// Check succeeds unless told to fail.
func (f *Fake) Check(context.Context) error { return f.enter(CallCheck) }

// Apply records rs; a failed Apply changes nothing, as the kernel's
// atomic load.
func (f *Fake) Apply(_ context.Context, rs firewall.Ruleset) error {
	if err := f.enter(CallApply); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applied = append(f.applied, rs)
	f.locked = false
	return nil
}

// Lockdown records the fail-closed load.
func (f *Fake) Lockdown(context.Context) error {
	if err := f.enter(CallLockdown); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.locked = true
	return nil
}

// Counters returns a copy of what SetCounters set.
func (f *Fake) Counters(context.Context) (firewall.Snapshot, error) {
	if err := f.enter(CallCounters); err != nil {
		return firewall.Snapshot{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	snap := firewall.Snapshot{Rules: map[string]firewall.Counter{}, Policies: map[string]firewall.Counter{}}
	for k, v := range f.counters.Rules {
		snap.Rules[k] = v
	}
	for k, v := range f.counters.Policies {
		snap.Policies[k] = v
	}
	return snap, nil
}
