package events

import (
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/recipe-bottle/rbm/internal/safetext"
)

// subscriberBuffer is how many events a slow reader may fall behind before
// it misses some (the sentry never waits for a reader).
const subscriberBuffer = 1024

// History keeps the last events in a ring, writes every event as a JSON
// line to its output, and hands live events to subscribers. Safe for
// concurrent use; Emit never blocks on a reader.
type History struct {
	mu       sync.Mutex
	out      io.Writer
	now      func() time.Time
	ring     []Event
	next     int // where the next event goes
	full     bool
	seq      uint64
	subs     map[*subscription]struct{}
	refusals tally
}

type subscription struct {
	ch     chan Event
	missed uint64
}

// NewHistory keeps the last size events (at least 1) and writes each to out
// (nil: nowhere).
func NewHistory(size int, out io.Writer) *History {
	return &History{out: out, now: time.Now, ring: make([]Event, max(size, 1)), subs: map[*subscription]struct{}{}}
}

// Emit records e, numbered and stamped with the current time unless it has one.
func (h *History) Emit(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	e.Seq = h.seq
	if e.Time.IsZero() {
		e.Time = h.now().UTC()
	}
	if isRefusal(e) {
		h.refusals.add(e)
	}
	h.ring[h.next] = e
	h.next = (h.next + 1) % len(h.ring)
	h.full = h.full || h.next == 0
	if h.out != nil {
		if b, err := json.Marshal(e); err == nil {
			h.out.Write(append(safetext.JSON(b), '\n')) // the sentry's log reaches terminals too
		}
	}
	for s := range h.subs {
		select {
		case s.ch <- e:
		default:
			s.missed++
		}
	}
}

// Since returns the kept events at or after t, oldest first; when the ring
// no longer reaches back to t, the refusals it lost come first, counted
// (see tally.beyond).
func (h *History) Since(t time.Time) []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.since(t)
}

func (h *History) since(t time.Time) []Event {
	var all []Event
	if h.full {
		all = append(all, h.ring[h.next:]...)
	}
	all = append(all, h.ring[:h.next]...)
	out := all[:0:0]
	for _, e := range all {
		if !e.Time.Before(t) {
			out = append(out, e)
		}
	}
	if h.full && len(all) > 0 && all[0].Time.After(t) {
		out = append(h.refusals.beyond(t, out), out...)
	}
	return out
}

// Len is how many events are kept now (at most the size).
func (h *History) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.full {
		return len(h.ring)
	}
	return h.next
}

// Follow returns the kept events since t and a channel of every later
// event, with none lost or repeated in between; cancel ends it.
func (h *History) Follow(t time.Time) (past []Event, live <-chan Event, cancel func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := &subscription{ch: make(chan Event, subscriberBuffer)}
	h.subs[s] = struct{}{}
	var once sync.Once
	return h.since(t), s.ch, func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs, s)
			h.mu.Unlock()
		})
	}
}
