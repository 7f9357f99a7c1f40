package sentry

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/recipe-bottle/rbm/internal/denials"
	"github.com/recipe-bottle/rbm/internal/dns"
	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// Bounds of what the sentry remembers for the host side.
const (
	historySize = 4096 // events kept for rbm observe and rbm suggest
	namesKept   = 8192 // addresses whose resolving name a denial can show
	// quietEvery spaces the comparisons of the kernel's denial counters
	// with what reached the sentry (the suppressed count).
	quietEvery = 2 * time.Second
)

// watch turns what the sentry sees into events: the DNS guard's queries,
// the kernel's denials, learned addresses and its own lifecycle.
type watch struct {
	h     *events.History
	names *events.Names

	mu       sync.Mutex
	received map[string]uint64 // denials read per rule since the rules were applied
	reported map[string]uint64 // of those the kernel counted, how many were accounted for
	lifetime time.Duration     // of learned addresses
	// lastCounts is the previous reading of the kernel's counters.
	lastCounts firewall.Snapshot
	// denied counts every denial read; deniedAtRead its value at the last
	// accounting, quiet the accountings since one arrived.
	denied, deniedAtRead uint64
	quiet                int
}

func newWatch(out io.Writer) *watch {
	return &watch{h: events.NewHistory(historySize, out), names: events.NewNames(namesKept), received: map[string]uint64{}, reported: map[string]uint64{}}
}

func (w *watch) lifecycle(what, detail string) {
	w.h.Emit(events.Event{Kind: events.Lifecycle, What: what, Detail: detail})
}

// denial is the kernel's report of one refused packet.
func (w *watch) denial(d denials.Denial) {
	w.mu.Lock()
	w.received[d.Rule]++
	w.denied++
	w.mu.Unlock()
	w.h.Emit(events.Event{Time: d.Time, Kind: events.Deny, Proto: d.Proto, Src: d.Src.String(), Dst: d.Dst.String(), Port: d.Port, Rule: d.Rule, Name: w.names.Lookup(d.Dst)})
}

// learned reports one checked addition to the learned set.
func (w *watch) learned(d dns.Learned, opened bool) {
	e := events.Event{Kind: events.Learned, Addr: d.Addr.String(), Name: d.Name, Domain: d.Domain}
	w.mu.Lock()
	exp := time.Now().Add(w.lifetime).UTC()
	w.mu.Unlock()
	if opened {
		e.Expires = &exp
	} else {
		e.Verdict = "not opened: the learned set is full (RBRN_UPLINK_LEARN_MAX)"
	}
	w.h.Emit(e)
}

// rulesApplied forgets the denial accounting (loading rules resets their
// counters) and notes what p changes for events.
func (w *watch) rulesApplied(p policy.Policy) {
	w.mu.Lock()
	clear(w.received)
	clear(w.reported)
	w.lastCounts = firewall.Snapshot{}
	w.lifetime = p.Learn.Lifetime
	w.mu.Unlock()
}

// run reports suppressed denials until ctx ends.
func (w *watch) run(ctx context.Context, fw firewall.Backend) {
	quiet := time.NewTicker(quietEvery)
	defer quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-quiet.C:
			w.reportSuppressed(ctx, fw)
		}
	}
}

// reportSuppressed compares each denial's kernel counter, as read one
// period ago, with the denials read since the rules were applied: the
// difference was rate-limited in the kernel or lost on the way. Using the
// older reading leaves a period for what it counted to arrive; the total
// reported never goes down.
//
// The kernel suppresses only while denials come faster than its limit, and
// then passes some of them on: after two quiet periods (the older reading
// included) there is nothing left to account for, so an idle sentry does
// not list its whole ruleset and sets every period.
func (w *watch) reportSuppressed(ctx context.Context, fw firewall.Backend) {
	w.mu.Lock()
	if w.denied != w.deniedAtRead {
		w.deniedAtRead, w.quiet = w.denied, 0
	} else {
		w.quiet++
	}
	idle := w.quiet > 2
	w.mu.Unlock()
	if idle {
		return
	}
	snap, err := fw.Counters(ctx)
	if err != nil {
		return
	}
	w.mu.Lock()
	prev := w.lastCounts
	w.lastCounts = snap
	var out []events.Event
	for _, id := range firewall.Denials {
		rule := firewall.IDPrefix + id
		counted := prev.Rules[rule].Packets
		missing := counted - min(counted, w.received[rule])
		if missing > w.reported[rule] {
			out = append(out, events.Event{Kind: events.Suppressed, Rule: rule, Count: missing - w.reported[rule]})
			w.reported[rule] = missing
		}
	}
	w.mu.Unlock()
	for _, e := range out {
		w.h.Emit(e)
	}
}

// serveEvents opens the history's socket; without it the events still go
// to the standard output.
func (s *Sentry) serveEvents(ctx context.Context) {
	if err := os.MkdirAll(s.StateDir, 0o755); err != nil {
		s.logf("warning: no events socket: state directory: %v", err)
		return
	}
	if err := events.Serve(ctx, filepath.Join(s.StateDir, events.SocketName), s.w.h); err != nil {
		s.logf("warning: %v", err)
	}
}
