package main

import (
	"errors"
	"testing"

	"github.com/recipe-bottle/rbm/internal/verify"
)

// TestBatteryStatus: 0 when all hold, 1 for BROKEN (even beside a case
// that could not run), 3 when the worst is a case that could not run.
func TestBatteryStatus(t *testing.T) {
	r := func(v verify.Verdict) verify.Result { return verify.Result{Verdict: v} }
	for _, c := range []struct {
		rs   []verify.Result
		want int
	}{
		{[]verify.Result{r(verify.Holds), r(verify.Info)}, 0},
		{[]verify.Result{r(verify.Holds), r(verify.Broken)}, exitBroken},
		{[]verify.Result{r(verify.NotRun), r(verify.Broken)}, exitBroken},
		{[]verify.Result{r(verify.Holds), r(verify.NotRun)}, exitNotRun},
	} {
		err := batteryStatus(c.rs)
		got := 0
		var ee *exitError
		if errors.As(err, &ee) {
			got = ee.code
		} else if err != nil {
			t.Fatalf("%v: not an exit status", err)
		}
		if got != c.want {
			t.Errorf("%v: exit %d, want %d", c.rs, got, c.want)
		}
	}
}
