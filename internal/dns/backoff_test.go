package dns

import (
	"slices"
	"testing"
	"time"
)

func TestBackoffDoublesAndResets(t *testing.T) {
	ms := time.Millisecond
	b := newBackoff(100*ms, 800*ms)
	var got []time.Duration
	for _, uptime := range []time.Duration{0, 0, 0, 0, 0, 800 * ms, 0, 799 * ms} {
		got = append(got, b.delay(uptime))
	}
	// Quick exits double up to the cap; a run that stayed up the cap resets.
	want := []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 800 * ms, 100 * ms, 200 * ms, 400 * ms}
	if !slices.Equal(got, want) {
		t.Errorf("delays %v, want %v", got, want)
	}
}

func TestBackoffDefaults(t *testing.T) {
	b := newBackoff(0, 0)
	if b.min != defaultMinBackoff || b.max != defaultMaxBackoff {
		t.Errorf("defaults %s..%s, want %s..%s", b.min, b.max, defaultMinBackoff, defaultMaxBackoff)
	}
	if b := newBackoff(time.Second, time.Millisecond); b.max != time.Second {
		t.Errorf("max below min gave max %s, want it raised to min", b.max)
	}
}
