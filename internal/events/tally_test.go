package events

import (
	"fmt"
	"testing"
	"time"
)

// TestFloodCannotWashOutRefusals: after a burst of 20,000 refused random
// names, the refusals of the minutes before it are still in Since, with
// their counts, and the flood's overflow is counted.
func TestFloodCannotWashOutRefusals(t *testing.T) {
	h := NewHistory(4096, nil)
	clock := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	h.now = func() time.Time { return clock }
	start := clock
	tick := func(d time.Duration) { clock = clock.Add(d) }
	h.Emit(Event{Kind: Deny, Proto: "tcp", Dst: "198.51.100.99", Port: 443, Rule: "rbm:fwd-drop"})
	tick(time.Minute)
	for range 3 {
		h.Emit(Event{Kind: DNS, Name: "wanted.test", Type: "A", Verdict: NotAllowed})
		tick(time.Second)
	}
	h.Emit(Event{Kind: Deny, Proto: "tcp", Dst: "198.51.100.77", Port: 443, Name: "other.test", Rule: "rbm:gate-name"})
	h.Emit(Event{Kind: DNS, Name: "ok.test", Type: "A", Verdict: Answered})
	tick(5 * time.Minute)
	for i := range 20000 {
		h.Emit(Event{Kind: DNS, Name: fmt.Sprintf("r%d.flood.test", i), Type: "A", Verdict: NotAllowed})
		if i%100 == 0 {
			tick(10 * time.Millisecond)
		}
	}
	got := map[string]int{}
	var notKept uint64
	for _, e := range h.Since(start.Add(-10 * time.Minute)) {
		switch {
		case e.Kind == Lifecycle && e.What == RefusalsNotKept:
			notKept += e.Count
		case e.Kind == Deny:
			got[e.Dst] += e.Times()
		case e.Name == "wanted.test" || e.Name == "ok.test":
			got[e.Name] += e.Times()
		}
	}
	want := map[string]int{"198.51.100.99": 1, "198.51.100.77": 1, "wanted.test": 3}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d refusals after the flood, want %d (all: %v)", k, got[k], n, got)
		}
	}
	if got["ok.test"] != 0 {
		t.Errorf("an answered query came back from the tally: %v", got)
	}
	// 3 kinds of refusal came before the flood; the tally holds tallySize.
	if wantNK := uint64(20000 - (tallySize - 3)); notKept != wantNK {
		t.Errorf("not kept: %d, want %d", notKept, wantNK)
	}
}

// TestNoDoubleCount: while the ring still reaches back, Since is the ring
// alone: nothing is added from the tally.
func TestNoDoubleCount(t *testing.T) {
	h := NewHistory(8, nil)
	for range 5 {
		h.Emit(Event{Kind: DNS, Name: "x.test", Verdict: NotAllowed})
	}
	if evs := h.Since(time.Time{}); len(evs) != 5 {
		t.Fatalf("%d events, want 5", len(evs))
	}
	// Wrapped: 3 of 12 occurrences were pushed out; one event stands for them.
	for range 7 {
		h.Emit(Event{Kind: DNS, Name: "x.test", Verdict: NotAllowed})
	}
	total := 0
	for _, e := range h.Since(time.Time{}) {
		total += e.Times()
	}
	if total != 12 {
		t.Errorf("%d occurrences, want 12", total)
	}
}
