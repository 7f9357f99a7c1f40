package gate

import (
	"context"
	"net/netip"
	"sync"
	"time"
)

// Answers remembers which addresses the sentry's answers carried for which
// name (the name the bottle asked, CNAME chain included), each pair with
// its own expiry: several names may share an address (a CDN), and one
// name may have many addresses. It is policy.Answers for the gate.
type Answers struct {
	mu      sync.Mutex
	byName  map[string]map[netip.Addr]time.Time
	size    int
	max     int
	now     func() time.Time
	changed chan struct{} // closed and replaced on every Record
}

// NewAnswers holds at most max pairs; when full, expired pairs go first
// and a new pair that still does not fit is not kept (its connections are
// refused: closed, never open).
func NewAnswers(max int) *Answers {
	return &Answers{byName: map[string]map[netip.Addr]time.Time{}, max: max, now: time.Now, changed: make(chan struct{})}
}

// Record notes that an answer for name carried addr, learned until until.
// It reports false when the table is full.
func (a *Answers) Record(name string, addr netip.Addr, until time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	addrs, ok := a.byName[name]
	if _, known := addrs[addr]; !known && a.size >= a.max {
		a.expire()
		if a.size >= a.max {
			return false
		}
	}
	if !ok {
		addrs = map[netip.Addr]time.Time{}
		a.byName[name] = addrs
	}
	if _, known := addrs[addr]; !known {
		a.size++
	}
	addrs[addr] = until
	close(a.changed)
	a.changed = make(chan struct{})
	return true
}

// Carried reports whether an unexpired answer for name carried addr.
func (a *Answers) Carried(name string, addr netip.Addr) bool {
	ok, _ := a.carried(name, addr)
	return ok
}

func (a *Answers) carried(name string, addr netip.Addr) (bool, <-chan struct{}) {
	a.mu.Lock()
	defer a.mu.Unlock()
	until, ok := a.byName[name][addr]
	return ok && a.now().Before(until), a.changed
}

// Wait is Carried, waiting up to max for the pair to be recorded. The
// kernel's set is filled before the bottle gets its answer, the table a
// moment later from the resolver's log: a connection made at once must not
// lose that race.
func (a *Answers) Wait(ctx context.Context, name string, addr netip.Addr, max time.Duration) bool {
	t := time.NewTimer(max)
	defer t.Stop()
	for {
		ok, changed := a.carried(name, addr)
		if ok {
			return true
		}
		select {
		case <-changed:
		case <-t.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// Forget drops every pair of the names keep rejects (a reload that no
// longer allows them).
func (a *Answers) Forget(keep func(name string) bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for name, addrs := range a.byName {
		if !keep(name) {
			a.size -= len(addrs)
			delete(a.byName, name)
		}
	}
}

// expire drops expired pairs; a.mu is held.
func (a *Answers) expire() {
	now := a.now()
	for name, addrs := range a.byName {
		for addr, until := range addrs {
			if !now.Before(until) {
				delete(addrs, addr)
				a.size--
			}
		}
		if len(addrs) == 0 {
			delete(a.byName, name)
		}
	}
}
