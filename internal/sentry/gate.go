package sentry

import (
	"context"
	"sync"
	"time"

	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/gate"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/supervise"
)

// gateEventRate and gateEventBurst bound the gate's refusal events per
// rule, as the kernel's log limit bounds its denials; the gate's counters
// keep the full count.
const (
	gateEventRate  = 50
	gateEventBurst = 100
)

// startGate starts the name gate when the plan runs it and it is not
// running yet: a part of the sentry process that no connection can take
// down (each handler recovers; a stopped Serve listens again, with
// backoff). While it is not listening the redirected connections meet a
// closed port: refused, never forwarded. A first listen that fails fails
// the start (or the reload).
func (s *Sentry) startGate(ctx context.Context, st *state) error {
	if st.gate != nil {
		st.gate.SetPolicy(st.plan.Policy)
		return nil
	}
	if !st.plan.Gate {
		return nil
	}
	lim := &eventLimit{last: map[string]time.Time{}, tokens: map[string]float64{}}
	srv := &gate.Server{Answers: st.learn.answers, Logf: s.logf, OnDecision: func(c gate.Conn, d policy.Decision) {
		if !d.Allowed() && lim.allow(d.Rule) {
			s.w.gateRefusal(c, d)
		}
	}}
	srv.SetPolicy(st.plan.Policy)
	bg := context.WithoutCancel(ctx)
	counts := &gateCountsWriter{path: gateCountsFile(s.StateDir), counts: srv.Counts, logf: s.logf}
	// Stopped after the gate (started before it): the last save holds the
	// decisions of the gate's last second.
	st.sup.Start(bg, supervise.Part{Name: partGateCounts, Run: func(ctx context.Context, ready func()) error {
		ready()
		counts.run(ctx)
		counts.save()
		return nil
	}})
	st.sup.Start(bg, supervise.Part{Name: partGate, Restart: true, MinBackoff: gateMinBackoff, MaxBackoff: gateMaxBackoff,
		Run: func(ctx context.Context, ready func()) error {
			l, err := gate.Listen(firewall.GatePort)
			if err != nil {
				return err
			}
			defer l.Close()
			ready()
			return srv.Serve(ctx, l)
		},
		OnStop: func(err error) {
			s.logf("warning: the name gate stopped (%v); checked connections are refused until it listens again", err)
		}})
	if err := st.sup.WaitReady(ctx, partGate); err != nil {
		st.stopGate()
		return err
	}
	st.gate = srv
	return nil
}

// stopGate stops the gate, then its counts (saved once more).
func (st *state) stopGate() {
	st.sup.Stop(partGate)
	st.sup.Stop(partGateCounts)
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
