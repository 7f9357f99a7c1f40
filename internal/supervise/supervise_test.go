package supervise

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var errCrash = errors.New("crashed")

// crasher fails its first n runs at once, then serves until stopped.
func crasher(n int32, runs *atomic.Int32) func(context.Context, func()) error {
	return func(ctx context.Context, ready func()) error {
		if runs.Add(1) <= n {
			return errCrash
		}
		ready()
		<-ctx.Done()
		return nil
	}
}

func waitFailed(t *testing.T, s *Supervisor) error {
	t.Helper()
	select {
	case err := <-s.Failed():
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("no failure reported")
		return nil
	}
}

func noFailure(t *testing.T, s *Supervisor) {
	t.Helper()
	select {
	case err := <-s.Failed():
		t.Errorf("failure reported: %v", err)
	default:
	}
}

func TestRestartsAfterCrashes(t *testing.T) {
	var s Supervisor
	var runs atomic.Int32
	var stops []error
	var mu sync.Mutex
	// The second run crashes only when let: until then nothing is ready.
	release := make(chan struct{})
	crash := crasher(2, &runs)
	run := func(ctx context.Context, ready func()) error {
		if runs.Load() == 1 {
			<-release
		}
		return crash(ctx, ready)
	}
	s.Start(context.Background(), Part{Name: "gate", Run: run, Restart: true, Must: true,
		MinBackoff: time.Millisecond, MaxBackoff: time.Hour,
		OnStop: func(err error) { mu.Lock(); stops = append(stops, err); mu.Unlock() }})
	defer s.StopAll()
	// The first run crashed before ready: WaitReady says so...
	if err := s.WaitReady(context.Background(), "gate"); !errors.Is(err, errCrash) {
		t.Fatalf("WaitReady = %v, want the first run's crash", err)
	}
	close(release)
	// ...and the slot keeps restarting until the part serves.
	for deadline := time.Now().Add(5 * time.Second); runs.Load() < 3; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d runs, want 3", runs.Load())
		}
	}
	mu.Lock()
	if len(stops) != 2 || !errors.Is(stops[0], errCrash) {
		t.Errorf("OnStop heard %v, want two crashes", stops)
	}
	mu.Unlock()
	noFailure(t, &s)
	s.Stop("gate")
	if s.Running("gate") || runs.Load() != 3 {
		t.Errorf("after Stop: running %v, %d runs", s.Running("gate"), runs.Load())
	}
}

func TestGivesUpAndFailsClosed(t *testing.T) {
	var s Supervisor
	var runs atomic.Int32
	s.Start(context.Background(), Part{Name: "dnsmasq", Run: crasher(100, &runs), Restart: true, Attempts: 3, Must: true,
		MinBackoff: time.Millisecond, MaxBackoff: time.Hour})
	defer s.StopAll()
	err := waitFailed(t, &s)
	var f *Failure
	if !errors.As(err, &f) || f.Part != "dnsmasq" || !errors.Is(err, errCrash) || err.Error() != "dnsmasq ended: crashed" {
		t.Errorf("failure %v, want dnsmasq's crash", err)
	}
	if runs.Load() != 3 {
		t.Errorf("%d runs before giving up, want 3", runs.Load())
	}
}

func TestFinalStopOnlyFailsWhatMustRun(t *testing.T) {
	var s Supervisor
	var runs atomic.Int32
	s.Start(context.Background(), Part{Name: "denials", Run: crasher(1, &runs)})
	s.Start(context.Background(), Part{Name: "guard", Run: crasher(0, &runs), Must: true})
	if err := s.WaitReady(context.Background(), "guard"); err != nil {
		t.Fatalf("guard: %v", err)
	}
	noFailure(t, &s)
	s.Start(context.Background(), Part{Name: "must", Run: crasher(100, &runs), Must: true})
	if err := waitFailed(t, &s); !errors.Is(err, errCrash) {
		t.Errorf("failure %v", err)
	}
	s.StopAll()
	if s.Running("guard") || s.Running("denials") {
		t.Error("parts still hold slots after StopAll")
	}
}

func TestWaitReadyProbe(t *testing.T) {
	var s Supervisor
	defer s.StopAll()
	block := func(ctx context.Context, _ func()) error { <-ctx.Done(); return nil }
	s.Start(context.Background(), Part{Name: "ok", Run: block, Probe: func(context.Context) error { return nil }})
	if err := s.WaitReady(context.Background(), "ok"); err != nil {
		t.Errorf("probe succeeded, WaitReady = %v", err)
	}
	bad := errors.New("no answer")
	s.Start(context.Background(), Part{Name: "bad", Run: block, Probe: func(context.Context) error { return bad }})
	if err := s.WaitReady(context.Background(), "bad"); !errors.Is(err, bad) {
		t.Errorf("probe failed, WaitReady = %v", err)
	}
	// A part that ends before its probe answers: the end is the answer,
	// and the probe is cancelled and awaited.
	var probeEnded atomic.Bool
	s.Start(context.Background(), Part{Name: "dies", Run: func(context.Context, func()) error { return errCrash },
		Probe: func(ctx context.Context) error { <-ctx.Done(); probeEnded.Store(true); return ctx.Err() }})
	if err := s.WaitReady(context.Background(), "dies"); !errors.Is(err, errCrash) || !probeEnded.Load() {
		t.Errorf("WaitReady = %v (probe ended %v), want the crash and the probe done", err, probeEnded.Load())
	}
	if err := s.WaitReady(context.Background(), "never"); !errors.Is(err, ErrNotRunning) {
		t.Errorf("WaitReady of a part never started = %v", err)
	}
}

func TestStopAllLastStartedFirst(t *testing.T) {
	var s Supervisor
	var mu sync.Mutex
	var stopped []string
	part := func(name string) Part {
		return Part{Name: name, Run: func(ctx context.Context, ready func()) error {
			ready()
			<-ctx.Done()
			mu.Lock()
			stopped = append(stopped, name)
			mu.Unlock()
			return nil
		}}
	}
	for _, n := range []string{"dnsmasq", "guard", "gate"} {
		s.Start(context.Background(), part(n))
		if err := s.WaitReady(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}
	s.Start(context.Background(), part("guard")) // replaced: stopped now, started again last
	s.StopAll()
	if want := []string{"guard", "guard", "gate", "dnsmasq"}; !slices.Equal(stopped, want) {
		t.Errorf("stopped %q, want %q", stopped, want)
	}
}
