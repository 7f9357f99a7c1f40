package events

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Bounds of the refusal tally.
const (
	tallySize = 2048
	// tallyWindow: a full tally makes room only by forgetting a refusal
	// last seen this long ago, so a flood of new refusals cannot wash out
	// the recent ones (it is counted as "not kept" instead).
	tallyWindow = time.Hour
	// tallyScanEvery spaces the searches for such room during a flood.
	tallyScanEvery = time.Second
)

// RefusalsNotKept is the What of the lifecycle event Since adds when the
// tally was full: Count refusals of other kinds were counted only.
const RefusalsNotKept = "refusals not kept"

// tally counts refusals by what was refused (not when), beside the ring:
// a bottle can push every event out of the ring with a burst of queries,
// but not the refusals seen before the burst. First come, first kept.
type tally struct {
	entries  map[string]*tallied
	notKept  uint64
	lastScan time.Time
}

type tallied struct {
	ev          Event // the latest occurrence
	count       uint64
	first, last time.Time
}

// isRefusal: denied connections, the gate's refusals, and the names the
// resolver or the guard refused.
func isRefusal(e Event) bool {
	switch {
	case e.Kind == Deny:
		return true
	case e.Kind == DNS:
		return e.Verdict == NotAllowed || e.Verdict == RebindRefused || e.Verdict == NotHostName
	}
	return false
}

// key is what makes two refusals the same: not the time, not the source
// port, not the client.
func key(e Event) string {
	return fmt.Sprintf("%s|%s|%s|%s|%d|%s|%s|%s", e.Kind, e.Rule, e.Proto, e.Dst, e.Port, e.Name, e.Type, e.Verdict)
}

func (t *tally) add(e Event) {
	if t.entries == nil {
		t.entries = map[string]*tallied{}
	}
	k := key(e)
	if x, ok := t.entries[k]; ok {
		x.ev, x.count, x.last = e, x.count+1, e.Time
		return
	}
	if len(t.entries) >= tallySize && !t.makeRoom(e.Time) {
		t.notKept++
		return
	}
	t.entries[k] = &tallied{ev: e, count: 1, first: e.Time, last: e.Time}
}

// makeRoom forgets one refusal last seen over tallyWindow ago, if any.
func (t *tally) makeRoom(now time.Time) bool {
	if now.Sub(t.lastScan) < tallyScanEvery {
		return false
	}
	t.lastScan = now
	for k, x := range t.entries {
		if now.Sub(x.last) > tallyWindow {
			delete(t.entries, k)
			return true
		}
	}
	return false
}

// beyond returns, for the refusals since since that kept (the ring's
// events since then) no longer holds all of, one event each standing for
// the missing ones (Repeats), and a RefusalsNotKept event when refusals
// went uncounted by kind. Occurrences before since are not told apart
// from later ones when a refusal spans both: its count is then an upper
// bound, said in the event.
func (t *tally) beyond(since time.Time, kept []Event) []Event {
	inRing := map[string]uint64{}
	for _, e := range kept {
		if isRefusal(e) {
			inRing[key(e)] += 1 + e.Repeats
		}
	}
	var out []Event
	for k, x := range t.entries {
		if x.last.Before(since) || x.count <= inRing[k] {
			continue
		}
		e := x.ev
		e.Seq, e.Time = 0, x.first
		if e.Time.Before(since) {
			e.Time = since
		}
		e.Repeats = x.count - inRing[k] - 1
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Event) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(key(a), key(b)))
	})
	if t.notKept > 0 {
		out = append(out, Event{Time: since, Kind: Lifecycle, What: RefusalsNotKept, Count: t.notKept,
			Detail: fmt.Sprintf("the refusal tally was full (%d kinds): these were counted only", tallySize)})
	}
	return out
}
