// Package supervise keeps the sentry's parts running: one slot per part
// (dnsmasq, the DNS guard, the denial reader, the name gate), each started,
// awaited until ready, restarted with backoff if it may be, and reported
// when a part that must run has stopped for good, so that the sentry fails
// closed. It knows nothing of the parts themselves.
package supervise

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Defaults for Part.MinBackoff and Part.MaxBackoff.
const (
	defaultMinBackoff = 100 * time.Millisecond
	defaultMaxBackoff = 5 * time.Second
)

// Part is one thing a Supervisor keeps running.
type Part struct {
	Name string
	// Run runs the part until ctx ends (its value is then ignored) or it
	// stops on its own; it calls ready once it serves.
	Run func(ctx context.Context, ready func()) error
	// Probe, if set, tells readiness from outside (a real query):
	// WaitReady runs it besides waiting for ready.
	Probe func(ctx context.Context) error
	// Restart runs the part again after it stopped on its own, after a
	// delay doubling from MinBackoff to MaxBackoff (zero: 100ms and 5s;
	// back to MinBackoff after a run that stayed up MaxBackoff). Without
	// it the first stop is final.
	Restart                bool
	MinBackoff, MaxBackoff time.Duration
	// Attempts bounds the runs in a row that end before MaxBackoff
	// (0: no bound); after the last the stop is final.
	Attempts int
	// Must: a final stop is reported on Failed; the sentry fails closed.
	Must bool
	// OnStop hears each stop on its own, before any restart (warnings,
	// events). May be nil.
	OnStop func(err error)
}

// Failure is a part that stopped on its own for good, or before it was
// ready.
type Failure struct {
	Part string
	Err  error
}

func (f *Failure) Error() string { return fmt.Sprintf("%s ended: %v", f.Part, f.Err) }
func (f *Failure) Unwrap() error { return f.Err }

// ErrNotRunning is WaitReady's answer for a part that was never started.
var ErrNotRunning = errors.New("not running")

// Supervisor holds the slots; the zero value is ready to use.
type Supervisor struct {
	mu     sync.Mutex
	slots  map[string]*slot
	order  []string // start order, for StopAll
	failed chan error
}

type slot struct {
	part      Part
	cancel    context.CancelFunc
	done      chan struct{} // closed when the slot's loop returned
	ready     chan struct{} // closed at the first ready
	readyOnce sync.Once
	first     chan struct{} // closed when the first run ended
	firstErr  error
}

func (sl *slot) markReady() { sl.readyOnce.Do(func() { close(sl.ready) }) }

// Failed delivers the first final stop of a part that must run.
func (s *Supervisor) Failed() <-chan error { return s.failures() }

func (s *Supervisor) failures() chan error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed == nil {
		s.failed = make(chan error, 1)
	}
	return s.failed
}

func (s *Supervisor) fail(err error) {
	ch := s.failures()
	select {
	case ch <- err:
	default: // one is enough: the sentry fails closed on the first
	}
}

// Start runs p in its slot, replacing (stopping first) a part of the same
// name. The slot lives until Stop, StopAll or ctx ends.
func (s *Supervisor) Start(ctx context.Context, p Part) {
	s.Stop(p.Name)
	cctx, cancel := context.WithCancel(ctx)
	sl := &slot{part: p, cancel: cancel, done: make(chan struct{}), ready: make(chan struct{}), first: make(chan struct{})}
	s.mu.Lock()
	if s.slots == nil {
		s.slots = map[string]*slot{}
	}
	s.slots[p.Name] = sl
	s.order = append(s.order, p.Name)
	s.mu.Unlock()
	go s.loop(cctx, sl)
}

// Running reports whether a part called name holds a slot.
func (s *Supervisor) Running(name string) bool { return s.slot(name) != nil }

func (s *Supervisor) slot(name string) *slot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.slots[name]
}

// Stop ends the part called name and waits for it; nothing if none runs.
func (s *Supervisor) Stop(name string) {
	s.mu.Lock()
	sl := s.slots[name]
	delete(s.slots, name)
	s.order = slices.DeleteFunc(s.order, func(n string) bool { return n == name })
	s.mu.Unlock()
	if sl != nil {
		sl.cancel()
		<-sl.done
	}
}

// StopAll stops every part, the last started first.
func (s *Supervisor) StopAll() {
	s.mu.Lock()
	names := slices.Clone(s.order)
	s.mu.Unlock()
	for _, n := range slices.Backward(names) {
		s.Stop(n)
	}
}
