package verify

import (
	"context"
	"fmt"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/probe"
)

// Backend runs probes in the bottle's namespace and reads the sentry's
// counters: the lab and Podman each provide one.
type Backend interface {
	Probe(ctx context.Context, s probe.Spec) (probe.Result, error)
	Counters(ctx context.Context) (firewall.Snapshot, error)
	// ForeignQueries is the number of queries the foreign resolver has
	// received so far; ok is false when it cannot be observed.
	ForeignQueries(ctx context.Context) (n int, ok bool, err error)
}

// Verdict of one case.
type Verdict string

// Verdicts.
const (
	Holds  Verdict = "holds"
	Broken Verdict = "BROKEN"
	Info   Verdict = "info"
	Failed Verdict = "error" // the case could not be run
)

// Result is one case's outcome with the rules whose counters moved.
type Result struct {
	Case     Case         `json:"case"`
	Observed probe.Result `json:"observed"`
	Verdict  Verdict      `json:"verdict"`
	Why      string       `json:"why,omitempty"`
	Note     string       `json:"note,omitempty"` // how a case held, when not the plain way
	Moved    []string     `json:"moved"`
}

// forwardJump is the rule every forwarded bottle packet crosses.
const forwardJump = "rbm:fwd-jump"

// Run runs every case in order, reading counters before and after each so
// its verdict names the rules that saw it. progress, if set, gets each
// result as it comes. A final case checks that the FORWARD chain really
// processed the bottle's packets over the whole battery.
func Run(ctx context.Context, b Backend, cases []Case, progress func(Result)) ([]Result, error) {
	first, err := b.Counters(ctx)
	if err != nil {
		return nil, fmt.Errorf("read counters: %w", err)
	}
	var out []Result
	before := first
	for _, c := range cases {
		r, after, err := runCase(ctx, b, c, before)
		if err != nil {
			return out, err
		}
		before = after
		out = append(out, r)
		if progress != nil {
			progress(r)
		}
	}
	total := forwardCase(before.Delta(first))
	if progress != nil {
		progress(total)
	}
	return append(out, total), nil
}

func runCase(ctx context.Context, b Backend, c Case, before firewall.Snapshot) (Result, firewall.Snapshot, error) {
	w0, err := observe(ctx, b, c.Expect, false)
	if err != nil {
		return Result{}, before, err
	}
	obs, perr := probeCase(ctx, b, c)
	after, err := b.Counters(ctx)
	if err != nil {
		return Result{}, before, fmt.Errorf("read counters: %w", err)
	}
	r := Result{Case: c, Observed: obs, Moved: after.Delta(before).Moved()}
	if perr != nil {
		r.Verdict, r.Why = Failed, perr.Error()
		return r, after, nil
	}
	w1, err := observe(ctx, b, c.Expect, true)
	if err != nil {
		return Result{}, after, err
	}
	ok, why, note := c.Expect.judge(obs, r.Moved, w1.since(w0))
	switch {
	case c.Expect.UpstreamState:
		r.Verdict, r.Why = Info, upstreamState(obs)
	case c.Expect.Report:
		r.Verdict = Info
	case alreadyLearned(c.Expect, before):
		r.Verdict, r.Why = Info, c.Expect.UnlessLearned+" was learned before this case ran (resolved earlier): run again after the learn lifetime to see it closed"
	case ok:
		r.Verdict, r.Note = Holds, note
	default:
		r.Verdict, r.Why = Broken, why
	}
	return r, after, nil
}

// forwardCase is the request's "verify the FORWARD chain is processing
// packets", judged on the whole battery.
func forwardCase(total firewall.Snapshot) Result {
	c := Case{
		Name:   "request/forward-chain-counted",
		Tried:  "all of the above",
		Expect: Expect{Text: "the bottle's packets crossed the sentry's FORWARD chain", Moved: []string{forwardJump}},
	}
	r := Result{Case: c, Moved: total.Moved(), Verdict: Holds}
	if ok, why, _ := c.Expect.judge(probe.Result{}, r.Moved, witness{}); !ok {
		r.Verdict, r.Why = Broken, why
	}
	r.Observed = probe.Result{Detail: fmt.Sprintf("%s: %d packets", forwardJump, total.Rules[forwardJump].Packets)}
	return r
}

// AllHold reports whether no case is broken or failed.
func AllHold(rs []Result) bool {
	for _, r := range rs {
		if r.Verdict == Broken || r.Verdict == Failed {
			return false
		}
	}
	return true
}

// alreadyLearned reports whether e's address was in the learned set before.
func alreadyLearned(e Expect, before firewall.Snapshot) bool {
	if e.UnlessLearned == "" {
		return false
	}
	a, err := parseAddr(e.UnlessLearned)
	if err != nil {
		return false
	}
	_, ok := before.Rules[firewall.IDPrefix+firewall.LearnedID(a)]
	return ok
}
