package supervise

import (
	"context"
	"time"
)

// loop runs the slot's part, restarting it as the part allows.
func (s *Supervisor) loop(ctx context.Context, sl *slot) {
	defer close(sl.done)
	p := sl.part
	lo, hi := p.MinBackoff, p.MaxBackoff
	if lo <= 0 {
		lo = defaultMinBackoff
	}
	if hi <= 0 {
		hi = defaultMaxBackoff
	}
	hi = max(lo, hi)
	delay, quick := lo, 0
	for n := 0; ; n++ {
		began := time.Now()
		err := p.Run(ctx, sl.markReady)
		// OnStop runs before the first end is told: what it reports comes
		// before WaitReady returns.
		if ctx.Err() == nil && p.OnStop != nil {
			p.OnStop(err)
		}
		if n == 0 {
			sl.firstErr = err
			close(sl.first)
		}
		if ctx.Err() != nil {
			return
		}
		if time.Since(began) >= hi {
			delay, quick = lo, 0 // it was healthy: start over
		}
		quick++
		if !p.Restart || (p.Attempts > 0 && quick >= p.Attempts) {
			if p.Must {
				s.fail(&Failure{Part: p.Name, Err: err})
			}
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, hi)
	}
}

// WaitReady waits until the part called name is ready (it said so, or its
// Probe succeeded). It returns the Probe's error, or a *Failure when the
// part's first run ended before it was ready, or ctx's error.
func (s *Supervisor) WaitReady(ctx context.Context, name string) error {
	sl := s.slot(name)
	if sl == nil {
		return &Failure{Part: name, Err: ErrNotRunning}
	}
	pctx, cancel := context.WithCancel(ctx)
	var probe chan error // nil without a Probe: never selected
	finished := make(chan struct{})
	if sl.part.Probe != nil {
		probe = make(chan error, 1)
		go func() {
			defer close(finished)
			probe <- sl.part.Probe(pctx)
		}()
	} else {
		close(finished)
	}
	// The probe must not outlive the answer.
	defer func() {
		cancel()
		<-finished
	}()
	select {
	case <-sl.ready:
		return nil
	case err := <-probe:
		if err == nil {
			sl.markReady()
		}
		return err
	case <-sl.first:
		select {
		case <-sl.ready: // ready, then stopped: it was ready
			return nil
		default:
		}
		return &Failure{Part: name, Err: sl.firstErr}
	case <-ctx.Done():
		return ctx.Err()
	}
}
