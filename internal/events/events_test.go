package events

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestHistoryBoundedAndOrdered(t *testing.T) {
	var out bytes.Buffer
	h := NewHistory(3, &out)
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		h.Emit(Event{Kind: DNS, Name: n})
	}
	got := h.Since(time.Time{})
	if h.Len() != 3 || len(got) != 3 || got[0].Name != "c" || got[2].Name != "e" || got[0].Seq != 3 || got[2].Seq != 5 {
		t.Errorf("kept %+v, want c d e numbered 3..5", got)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("wrote %d JSON lines, want one per event (5)", len(lines))
	}
	var e Event
	if err := json.Unmarshal([]byte(lines[4]), &e); err != nil || e.Name != "e" || e.Time.IsZero() {
		t.Errorf("last line %q: %+v %v", lines[4], e, err)
	}
	if strings.Contains(lines[0], `"rule"`) || strings.Contains(lines[0], `"expires"`) {
		t.Errorf("unused fields are not left out: %s", lines[0])
	}
}

func TestHistorySince(t *testing.T) {
	h := NewHistory(10, nil)
	t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	for i := range 4 {
		h.Emit(Event{Kind: DNS, Time: t0.Add(time.Duration(i) * time.Minute)})
	}
	if got := h.Since(t0.Add(2 * time.Minute)); len(got) != 2 || got[0].Seq != 3 {
		t.Errorf("since 12:02: %+v, want the last two", got)
	}
}

// TestFollowLosesNothing: events emitted while a follower reads its past
// reach it live, each once.
func TestFollowLosesNothing(t *testing.T) {
	h := NewHistory(100, nil)
	h.Emit(Event{Kind: DNS, Name: "before"})
	past, live, cancel := h.Follow(time.Time{})
	defer cancel()
	h.Emit(Event{Kind: DNS, Name: "after"})
	if len(past) != 1 || past[0].Name != "before" {
		t.Fatalf("past = %+v", past)
	}
	if e := <-live; e.Name != "after" {
		t.Errorf("live = %+v", e)
	}
	cancel()
	h.Emit(Event{Kind: DNS, Name: "gone"}) // no reader left: must not block
	select {
	case e := <-live:
		t.Errorf("cancelled follower got %+v", e)
	default:
	}
}

func TestSocketHistoryAndFollow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := NewHistory(100, nil)
	path := filepath.Join(t.TempDir(), SocketName)
	if err := Serve(ctx, path, h); err != nil {
		t.Fatal(err)
	}
	h.Emit(Event{Kind: Lifecycle, What: "ready"})
	r, err := Dial(ctx, path, Request{})
	if err != nil {
		t.Fatal(err)
	}
	var got []Event
	if err := Decode(r, func(e Event) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if len(got) != 1 || got[0].What != "ready" {
		t.Fatalf("history = %+v", got)
	}

	r, err = Dial(ctx, path, Request{Follow: true, Since: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	live := make(chan Event, 1)
	go Decode(r, func(e Event) error { live <- e; return nil })
	time.Sleep(100 * time.Millisecond) // the server subscribes
	h.Emit(Event{Kind: Deny, Dst: "192.0.2.9", Port: 443, Rule: "rbm:fwd-drop"})
	select {
	case e := <-live:
		if e.Kind != Deny || e.Dst != "192.0.2.9" {
			t.Errorf("live = %+v", e)
		}
	case <-ctx.Done():
		t.Fatal("no live event")
	}
}

func TestDecodeRefusesOtherLines(t *testing.T) {
	err := Decode(strings.NewReader("{\"error\":\"bad request\"}\n"), func(Event) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "bad request") {
		t.Errorf("error line: %v", err)
	}
	err = Decode(strings.NewReader("Error: no such container\n"), func(Event) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "not an event") {
		t.Errorf("text line: %v", err)
	}
}

func TestTextNamesAddresses(t *testing.T) {
	e := Event{Time: time.Now(), Kind: Deny, Proto: "tcp", Dst: "192.0.2.9", Port: 443, Rule: "rbm:fwd-drop", Name: "api.example.test"}
	if got := e.Text(); !strings.Contains(got, "denied  tcp 192.0.2.9:443 (api.example.test) by rbm:fwd-drop") {
		t.Errorf("text = %q", got)
	}
}

func TestSummary(t *testing.T) {
	s := Summarize([]Event{
		{Kind: Deny, Dst: "192.0.2.9", Port: 443}, {Kind: Deny, Dst: "192.0.2.9", Port: 443}, {Kind: Deny, Dst: "192.0.2.8", Port: 80},
		{Kind: DNS, Name: "x.test", Verdict: NotAllowed}, {Kind: DNS, Name: "ok.test", Verdict: Answered},
		{Kind: Suppressed, Count: 7},
	})
	want := "3 denied connections (192.0.2.9:443 x2, 192.0.2.8:80 x1); 7 more denials counted, not logged; 1 names not allowed (x.test x1)"
	if s.String() != want {
		t.Errorf("summary = %q\nwant      %q", s.String(), want)
	}
	if Summarize(nil).String() != "nothing refused" {
		t.Error("empty summary")
	}
}
