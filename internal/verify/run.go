package verify

import (
	"context"
	"fmt"
	"slices"

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
	// NotRun: the case could not run: its probe failed to run, or the
	// success it expected needs something outside the sentry that the
	// evidence shows unreachable (see couldNotRun). Neither holds nor
	// BROKEN.
	NotRun Verdict = "could-not-run"
)

// Result is one case's outcome with the rules whose counters moved.
type Result struct {
	Case     Case         `json:"case"`
	Observed probe.Result `json:"observed"`
	Verdict  Verdict      `json:"verdict"`
	Why      string       `json:"why,omitempty"`
	// Rule is the rule id the verdict rests on: the deciding rule, or for
	// a case that could not run the rule whose silence shows nothing left.
	Rule  string   `json:"rule,omitempty"`
	Note  string   `json:"note,omitempty"` // how a case held, when not the plain way
	Moved []string `json:"moved"`
}

// forwardJump is the rule every forwarded bottle packet crosses.
const forwardJump = "rbm:fwd-jump"

// Run runs every case in order, reading counters before and after each so
// its verdict names the rules that saw it. progress, if set, gets each
// result as it comes. A final case checks that the FORWARD chain really
// processed the bottle's packets over the whole battery.
func Run(ctx context.Context, b Backend, cases []Case, progress func(Result)) ([]Result, error) {
	return run(ctx, b, cases, true, progress)
}

func run(ctx context.Context, b Backend, cases []Case, total bool, progress func(Result)) ([]Result, error) {
	first, err := b.Counters(ctx)
	if err != nil {
		return nil, fmt.Errorf("read counters: %w", err)
	}
	var out []Result
	before, rs := first, routes{}
	for _, c := range cases {
		r, after, err := runCase(ctx, b, c, before, rs)
		if err != nil {
			return out, err
		}
		before = after
		out = append(out, r)
		if progress != nil {
			progress(r)
		}
	}
	if !total {
		return out, nil
	}
	fc := forwardCase(before.Delta(first), rs)
	if progress != nil {
		progress(fc)
	}
	return append(out, fc), nil
}

func runCase(ctx context.Context, b Backend, c Case, before firewall.Snapshot, rs routes) (Result, firewall.Snapshot, error) {
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
		r.Verdict, r.Why = NotRun, perr.Error()
		return r, after, nil
	}
	w1, err := observe(ctx, b, c.Expect, true)
	if err != nil {
		return Result{}, after, err
	}
	if err := rs.check(ctx, b, c.Expect); err != nil {
		return Result{}, after, err
	}
	judgeCase(&r, before, w1.since(w0), rs)
	return r, after, nil
}

// judgeCase gives r its verdict from what was observed, the rules that
// moved, what the stand-ins saw and the sentry's routes. Pure.
func judgeCase(r *Result, before firewall.Snapshot, w witness, rs routes) {
	c, obs := r.Case, r.Observed
	e, unsent := c.Expect.unsent(obs, rs)
	ok, why, note := e.judge(obs, r.Moved, w)
	if ok && unsent && !slices.ContainsFunc(c.Expect.Moved, func(id string) bool { return slices.Contains(r.Moved, id) }) {
		note = unsentNote
	}
	r.Rule = decidingRule(c.Expect, r.Moved)
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
		if cnr, rule := c.Expect.couldNotRun(obs, r.Moved, rs); cnr != "" {
			r.Verdict, r.Why, r.Rule = NotRun, cnr, rule
		}
	}
}

// decidingRule is the first rule e names as deciding, preferring one that
// moved.
func decidingRule(e Expect, moved []string) string {
	ids := append(slices.Clone(e.Moved), e.AnyMoved...)
	for _, id := range ids {
		if slices.Contains(moved, id) {
			return id
		}
	}
	if len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// forwardCase is the request's "verify the FORWARD chain is processing
// packets", judged on the whole battery.
//
// Where the sentry had no route to an address the battery needed and
// nothing left the uplink over the whole battery, no bottle packet could
// be forwarded: the case could not run.
func forwardCase(total firewall.Snapshot, rs routes) Result {
	c := Case{
		Name:   ForwardCaseName,
		Tried:  "all of the above",
		Expect: Expect{Text: "the bottle's packets crossed the sentry's FORWARD chain", Moved: []string{forwardJump}},
	}
	r := Result{Case: c, Moved: total.Moved(), Verdict: Holds}
	r.Rule = forwardJump
	if ok, why, _ := c.Expect.judge(probe.Result{}, r.Moved, witness{}); !ok {
		r.Verdict, r.Why = Broken, why
		if a, none := rs.anyUnrouted(); none && !slices.Contains(r.Moved, masqRule) {
			r.Verdict, r.Why = NotRun, fmt.Sprintf("no bottle packet could be forwarded: the uplink has no route out (none to %s); nothing left: %s did not move", a, masqRule)
		}
	}
	r.Observed = probe.Result{Detail: fmt.Sprintf("%s: %d packets", forwardJump, total.Rules[forwardJump].Packets)}
	return r
}

// AllHold reports whether no case is broken or failed.
func AllHold(rs []Result) bool {
	for _, r := range rs {
		if r.Verdict == Broken || r.Verdict == NotRun {
			return false
		}
	}
	return true
}

// AnyBroken reports whether a case is BROKEN.
func AnyBroken(rs []Result) bool {
	return slices.ContainsFunc(rs, func(r Result) bool { return r.Verdict == Broken })
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
