package probe

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// DefaultTimeout bounds a probe whose Spec sets no Timeout.
const DefaultTimeout = 2 * time.Second

// Run runs one probe, bounded by s.Timeout (DefaultTimeout when unset) and
// by ctx. It never panics on a bad spec: that is an Error outcome.
func Run(ctx context.Context, s Spec) Result {
	start := time.Now()
	timeout := time.Duration(s.Timeout)
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	r := runChain(ctx, s)
	r.Spec = s
	r.Elapsed = Duration(time.Since(start).Round(time.Microsecond))
	return r
}

// runChain runs s, then s.Then (and its own Then), while what s holds
// open (tcp-silent's connections) stays open.
func runChain(ctx context.Context, s Spec) Result {
	r, release := runOne(ctx, s)
	defer release()
	if s.Then != nil && r.Outcome != Error && r.Outcome != Denied {
		then := runChain(ctx, *s.Then)
		then.Detail = r.Detail + "; then " + string(then.Outcome) + ": " + then.Detail
		r = then
	}
	return r
}

// runOne runs s alone; release ends what it holds open.
func runOne(ctx context.Context, s Spec) (r Result, release func()) {
	if s.Kind == KindTCPSilent {
		return holdSilent(ctx, s)
	}
	if p, ok := probers[s.Kind]; ok {
		return p(ctx, s), func() {}
	}
	return Result{Outcome: Error, Detail: fmt.Sprintf("unknown probe kind %q", s.Kind)}, func() {}
}

// RunBatch runs specs with at most parallel probes at a time (1 when
// parallel < 1) and returns their results in input order.
func RunBatch(ctx context.Context, specs []Spec, parallel int) []Result {
	if parallel < 1 {
		parallel = 1
	}
	results := make([]Result, len(specs))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, s := range specs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			results[i] = Run(ctx, s)
		})
	}
	wg.Wait()
	return results
}
