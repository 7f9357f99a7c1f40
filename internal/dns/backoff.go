package dns

import "time"

// Defaults for Supervisor.MinBackoff and MaxBackoff.
const (
	defaultMinBackoff = 200 * time.Millisecond
	defaultMaxBackoff = 10 * time.Second
)

// backoff spaces restarts: each quick exit doubles the delay up to max; a
// run that stayed up at least max counts as healthy and resets it to min.
type backoff struct {
	min, max, next time.Duration
}

func newBackoff(lo, hi time.Duration) *backoff {
	if lo <= 0 {
		lo = defaultMinBackoff
	}
	if hi <= 0 {
		hi = defaultMaxBackoff
	}
	hi = max(lo, hi)
	return &backoff{min: lo, max: hi, next: lo}
}

// delay returns how long to wait before the next start, given how long
// the run that just ended stayed up.
func (b *backoff) delay(uptime time.Duration) time.Duration {
	if uptime >= b.max {
		b.next = b.min
	}
	d := b.next
	b.next = min(2*b.next, b.max)
	return d
}
