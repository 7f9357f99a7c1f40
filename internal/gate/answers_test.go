package gate

import (
	"context"
	"net/netip"
	"testing"
	"time"
)

func TestAnswers(t *testing.T) {
	a := NewAnswers(2)
	now := time.Unix(1000, 0)
	a.now = func() time.Time { return now }
	x, y := netip.MustParseAddr("198.51.100.1"), netip.MustParseAddr("198.51.100.2")
	a.Record("a.test", x, now.Add(time.Minute))
	a.Record("b.test", x, now.Add(time.Second)) // a shared address keeps both names
	if !a.Carried("a.test", x) || !a.Carried("b.test", x) || a.Carried("a.test", y) {
		t.Fatal("two names on one address: each must carry it, and only it")
	}
	if a.Record("c.test", y, now.Add(time.Minute)) {
		t.Fatal("a full table took a third pair")
	}
	now = now.Add(2 * time.Second) // b.test's pair expired: room again
	if a.Carried("b.test", x) || !a.Record("c.test", y, now.Add(time.Minute)) {
		t.Fatal("an expired pair still counts, or its room was not reused")
	}
	a.Forget(func(name string) bool { return name != "a.test" })
	if a.Carried("a.test", x) || !a.Carried("c.test", y) {
		t.Fatal("Forget dropped the wrong names")
	}
}

// TestAnswersWait: a decision waits for the pair the resolver's log is
// about to record, and no longer than asked.
func TestAnswersWait(t *testing.T) {
	a := NewAnswers(8)
	x := netip.MustParseAddr("198.51.100.1")
	go func() {
		time.Sleep(20 * time.Millisecond)
		a.Record("a.test", x, time.Now().Add(time.Minute))
	}()
	if !a.Wait(context.Background(), "a.test", x, 2*time.Second) {
		t.Fatal("Wait missed a pair recorded while it waited")
	}
	if a.Wait(context.Background(), "b.test", x, 30*time.Millisecond) {
		t.Fatal("Wait found a pair never recorded")
	}
}
