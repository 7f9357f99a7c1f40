package sentry

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/gate"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// gateEventRate and gateEventBurst bound the gate's refusal events per
// rule, as the kernel's log limit bounds its denials; the gate's counters
// keep the full count.
const (
	gateEventRate  = 50
	gateEventBurst = 100
)

// nameGate is the running gate: a part of the sentry process that no
// connection can take down (each handler recovers; Serve is restarted),
// started when the policy checks names. While it is not listening the
// redirected connections meet a closed port: refused, never forwarded.
type nameGate struct {
	srv  *gate.Server
	stop context.CancelFunc
	done chan struct{}
}

// startGate listens and serves when p checks names and the gate is not
// running yet; a listen failure fails the start (or the reload).
func (s *Sentry) startGate(ctx context.Context, st *state) error {
	if st.gate != nil {
		st.gate.srv.SetPolicy(st.policy)
		return nil
	}
	if !st.plan.Gate {
		return nil
	}
	l, err := gate.Listen(firewall.GatePort)
	if err != nil {
		return err
	}
	lim := &eventLimit{last: map[string]time.Time{}, tokens: map[string]float64{}}
	srv := &gate.Server{Answers: st.learn.answers, Logf: s.logf, OnDecision: func(c gate.Conn, d policy.Decision) {
		if !d.Allowed() && lim.allow(d.Rule) {
			s.w.gateRefusal(c, d)
		}
	}}
	srv.SetPolicy(st.policy)
	gctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	st.gate = &nameGate{srv: srv, stop: stop, done: make(chan struct{})}
	counts := &gateCountsWriter{path: gateCountsFile(s.StateDir), counts: srv.Counts, logf: s.logf}
	go s.runGate(gctx, srv, l, counts, st.gate.done)
	return nil
}

// runGate serves and saves the gate's counts until ctx ends, then saves
// them once more: the file keeps the decisions of the gate's last second.
func (s *Sentry) runGate(ctx context.Context, srv *gate.Server, l *net.TCPListener, counts *gateCountsWriter, done chan struct{}) {
	defer close(done)
	saved := make(chan struct{})
	go func() {
		counts.run(ctx)
		close(saved)
	}()
	s.superviseGate(ctx, srv, l)
	<-saved
	counts.save()
}

// superviseGate serves until ctx ends, listening again (with backoff)
// whenever serving ended for another reason.
func (s *Sentry) superviseGate(ctx context.Context, srv *gate.Server, l *net.TCPListener) {
	delay := 100 * time.Millisecond
	for {
		err := srv.Serve(ctx, l)
		if ctx.Err() != nil {
			return
		}
		s.logf("warning: the name gate stopped (%v); checked connections are refused until it listens again", err)
		for l = nil; l == nil; {
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
			delay = min(2*delay, 5*time.Second)
			if l, err = gate.Listen(firewall.GatePort); err != nil {
				s.logf("warning: %v", err)
			}
		}
	}
}

func (st *state) stopGate() {
	if st.gate == nil {
		return
	}
	st.gate.stop()
	<-st.gate.done
	st.gate = nil
}

// gateRefusal reports a connection the gate refused, as a denial.
func (w *watch) gateRefusal(c gate.Conn, d policy.Decision) {
	w.h.Emit(events.Event{Kind: events.Deny, Proto: c.Proto, Src: c.Src.Addr().String(), Dst: c.Dst.Addr().String(), Port: c.Dst.Port(),
		Rule: firewall.IDPrefix + d.Rule, Name: c.Name, Verdict: d.Reason})
}

// eventLimit is a token bucket per rule.
type eventLimit struct {
	mu     sync.Mutex
	last   map[string]time.Time
	tokens map[string]float64
}

func (e *eventLimit) allow(rule string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	t, seen := e.tokens[rule]
	if !seen {
		t = gateEventBurst
	}
	t = min(t+now.Sub(e.last[rule]).Seconds()*gateEventRate, gateEventBurst)
	e.last[rule] = now
	if t < 1 {
		e.tokens[rule] = t
		return false
	}
	e.tokens[rule] = t - 1
	return true
}
