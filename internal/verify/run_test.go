package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/probe"
)

// step is what the fake sentry does with one probe: the result the bottle
// sees, the rules that count it, and queries reaching the foreign resolver.
type step struct {
	result  probe.Result
	err     error
	counts  []string
	foreign int
}

// fakeBackend keeps cumulative counters like the kernel does: a probe
// bumps them, Counters returns a snapshot. Steps are keyed by spec target.
type fakeBackend struct {
	steps        map[string]step
	rules        map[string]firewall.Counter
	foreign      int
	foreignBlind bool // ForeignQueries: ok=false

	countersCalls, failCountersAt int // 1-based; 0: never fail
	failForeign                   bool
	probed                        []string
}

func newFake(steps map[string]step) *fakeBackend {
	return &fakeBackend{steps: steps, rules: map[string]firewall.Counter{
		// present from the start, so deltas are real subtractions
		"rbm:fwd-jump": {Packets: 100, Bytes: 6000}, "rbm:fwd-drop": {Packets: 7, Bytes: 420},
	}}
}

func (f *fakeBackend) Probe(_ context.Context, s probe.Spec) (probe.Result, error) {
	key := s.Target + s.Server
	f.probed = append(f.probed, key)
	st, ok := f.steps[key]
	if !ok {
		return probe.Result{}, errors.New("unscripted probe " + key)
	}
	for _, id := range st.counts {
		c := f.rules[id]
		f.rules[id] = firewall.Counter{Packets: c.Packets + 1, Bytes: c.Bytes + 60}
	}
	f.foreign += st.foreign
	r := st.result
	r.Spec = s
	return r, st.err
}

func (f *fakeBackend) Counters(context.Context) (firewall.Snapshot, error) {
	f.countersCalls++
	if f.countersCalls == f.failCountersAt {
		return firewall.Snapshot{}, errors.New("iptables-save: exit status 1")
	}
	return firewall.Snapshot{Rules: maps.Clone(f.rules)}, nil
}

func (f *fakeBackend) ForeignQueries(context.Context) (int, bool, error) {
	if f.failForeign {
		return 0, false, errors.New("stats socket: connection refused")
	}
	return f.foreign, !f.foreignBlind, nil
}

func tcpCase(name, target string, e Expect) Case {
	return Case{Name: name, Tried: "TCP connect " + target, Spec: probe.Spec{Kind: probe.KindTCP, Target: target}, Expect: e}
}

// script is a small battery with one case per verdict.
func script() ([]Case, map[string]step) {
	cases := []Case{
		tcpCase("egress/allowed", "203.0.113.1:443", Expect{Text: "reaches", Outcomes: reachedTCP, Moved: []string{"rbm:fwd-allow-203.0.113.0/24"}}),
		tcpCase("egress/forbidden", "198.51.100.99:443", Expect{Text: "dropped", Outcomes: dropped, Moved: []string{dropRule}}),
		tcpCase("egress/neighbour", "10.242.1.1:80", Expect{Text: "reported", Report: true}),
		tcpCase("sentry/tcp-22", "10.242.0.2:22", Expect{Text: "dropped", Outcomes: dropped, Moved: []string{enclaveDrop}}),
		{Name: "request/foreign-dns-udp", Tried: "dig", Spec: probe.Spec{Kind: probe.KindDNS, Server: "198.51.100.153:53", Name: "forbidden.test"},
			Expect: Expect{Text: "intercepted", Outcomes: []probe.Outcome{probe.Answered}, Rcode: "NXDOMAIN", Moved: []string{"rbm:nat-dns-udp"}, ForeignUntouched: true}},
	}
	steps := map[string]step{
		"203.0.113.1:443": {result: probe.Result{Outcome: probe.Connected}, counts: []string{"rbm:fwd-jump", "rbm:fwd-allow-203.0.113.0/24", "rbm:nat-masq"}},
		// the sentry lets it through: BROKEN
		"198.51.100.99:443": {result: probe.Result{Outcome: probe.Connected}, counts: []string{"rbm:fwd-jump", "rbm:nat-masq"}},
		"10.242.1.1:80":     {result: probe.Result{Outcome: probe.Timeout}, counts: []string{"rbm:fwd-jump", "rbm:fwd-allow-global"}},
		// the probe could not run
		"10.242.0.2:22": {err: errors.New("setpriv: exit status 1"), result: probe.Result{Outcome: probe.Error, Detail: "setpriv failed"}},
		// answered like an interception, but the foreign resolver saw it: BROKEN
		"198.51.100.153:53": {result: probe.Result{Outcome: probe.Answered, Rcode: "NXDOMAIN"}, counts: []string{"rbm:nat-dns-udp"}, foreign: 1},
	}
	return cases, steps
}

func TestRunVerdicts(t *testing.T) {
	cases, steps := script()
	f := newFake(steps)
	var progressed []string
	rs, err := Run(context.Background(), f, cases, func(r Result) { progressed = append(progressed, r.Case.Name) })
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(cases)+1 {
		t.Fatalf("%d results, want %d (every case and the forward-chain case)", len(rs), len(cases)+1)
	}
	var names []string
	for _, r := range rs {
		names = append(names, r.Case.Name)
	}
	if !slices.Equal(progressed, names) {
		t.Errorf("progress saw %v, want %v", progressed, names)
	}
	for i, c := range cases {
		if f.probed[i] != c.Spec.Target+c.Spec.Server {
			t.Errorf("probe %d was %s, want the cases in order", i, f.probed[i])
		}
	}
	want := []struct {
		verdict Verdict
		moved   []string
		why     []string
	}{
		{Holds, []string{"rbm:fwd-allow-203.0.113.0/24", "rbm:fwd-jump", "rbm:nat-masq"}, nil},
		{Broken, []string{"rbm:fwd-jump", "rbm:nat-masq"}, []string{"outcome connected", "rbm:fwd-drop did not move"}},
		{Info, []string{"rbm:fwd-allow-global", "rbm:fwd-jump"}, nil},
		{NotRun, nil, []string{"setpriv: exit status 1"}},
		{Broken, []string{"rbm:nat-dns-udp"}, []string{"the foreign resolver received 1 queries"}},
	}
	for i, w := range want {
		r := rs[i]
		if r.Verdict != w.verdict {
			t.Errorf("%s: verdict %s (%s), want %s", r.Case.Name, r.Verdict, r.Why, w.verdict)
		}
		// Moved is this case's delta only, not the running total.
		if !slices.Equal(r.Moved, w.moved) {
			t.Errorf("%s: moved %v, want %v", r.Case.Name, r.Moved, w.moved)
		}
		for _, s := range w.why {
			if !strings.Contains(r.Why, s) {
				t.Errorf("%s: why %q, want it to mention %q", r.Case.Name, r.Why, s)
			}
		}
		if w.why == nil && r.Why != "" {
			t.Errorf("%s: why %q, want none", r.Case.Name, r.Why)
		}
		if !reflect.DeepEqual(r.Observed.Spec, r.Case.Spec) {
			t.Errorf("%s: observed result is not this case's", r.Case.Name)
		}
	}
	total := rs[len(rs)-1]
	if total.Case.Name != "request/forward-chain-counted" || total.Verdict != Holds {
		t.Errorf("final case %s %s (%s), want request/forward-chain-counted holds", total.Case.Name, total.Verdict, total.Why)
	}
	if !strings.Contains(total.Observed.Detail, "rbm:fwd-jump: 3 packets") {
		t.Errorf("final case observed %q, want the battery's 3 fwd-jump packets (not the 103 total)", total.Observed.Detail)
	}
	for _, id := range []string{"rbm:fwd-allow-203.0.113.0/24", "rbm:nat-dns-udp", "rbm:fwd-jump"} {
		if !slices.Contains(total.Moved, id) {
			t.Errorf("final case moved %v, want %s among the battery's rules", total.Moved, id)
		}
	}
	if slices.Contains(total.Moved, dropRule) {
		t.Errorf("final case moved %v: rbm:fwd-drop only counted before the battery", total.Moved)
	}
	if AllHold(rs) {
		t.Error("AllHold is true with BROKEN and error verdicts")
	}
	if s := Summary(rs); s != "6 cases: 2 hold, 1 info, 2 broken, 1 could not run" {
		t.Errorf("Summary = %q", s)
	}
}

func TestRunAllHold(t *testing.T) {
	cases, steps := script()
	cases = cases[:1]
	rs, err := Run(context.Background(), newFake(steps), cases, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !AllHold(rs) || rs[1].Verdict != Holds {
		t.Errorf("want all to hold, got %s", Summary(rs))
	}
	// an info verdict does not fail the battery
	cases, steps = script()
	rs, err = Run(context.Background(), newFake(steps), cases[2:3], nil)
	if err != nil || !AllHold(rs) || rs[0].Verdict != Info {
		t.Errorf("info case: %v %s", err, Summary(rs))
	}
}

// If no bottle packet crossed the FORWARD chain, the counters prove
// nothing, whatever the cases said: the final case is BROKEN.
func TestRunForwardChainNotCounted(t *testing.T) {
	cases := []Case{tcpCase("sentry/tcp-22", "10.242.0.2:22", Expect{Text: "dropped", Outcomes: dropped, Moved: []string{enclaveDrop}})}
	f := newFake(map[string]step{"10.242.0.2:22": {result: probe.Result{Outcome: probe.Timeout}, counts: []string{enclaveDrop}}})
	rs, err := Run(context.Background(), f, cases, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Verdict != Holds {
		t.Fatalf("the case itself: %s %s", rs[0].Verdict, rs[0].Why)
	}
	total := rs[1]
	if total.Verdict != Broken || !strings.Contains(total.Why, "rbm:fwd-jump did not move") {
		t.Errorf("forward-chain case %s (%s), want BROKEN: rbm:fwd-jump did not move", total.Verdict, total.Why)
	}
	if AllHold(rs) {
		t.Error("AllHold with an uncounted FORWARD chain")
	}
}

// When the foreign resolver cannot be observed, ForeignUntouched cannot be
// judged: the rest of the expectation still is.
func TestRunForeignBlind(t *testing.T) {
	cases, steps := script()
	f := newFake(steps)
	f.foreignBlind = true
	rs, err := Run(context.Background(), f, cases[4:5], nil)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Verdict != Holds {
		t.Errorf("blind foreign resolver: %s (%s), want holds on the rest", rs[0].Verdict, rs[0].Why)
	}
}

func TestRunBackendErrors(t *testing.T) {
	cases, steps := script()
	tests := []struct {
		name     string
		set      func(*fakeBackend)
		partial  int
		mentions string
	}{
		{"first counters", func(f *fakeBackend) { f.failCountersAt = 1 }, 0, "iptables-save"},
		{"counters after the second case", func(f *fakeBackend) { f.failCountersAt = 3 }, 1, "iptables-save"},
		{"foreign resolver's count", func(f *fakeBackend) { f.failForeign = true }, 0, "stats socket"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(steps)
			tc.set(f)
			rs, err := Run(context.Background(), f, cases, nil)
			if err == nil {
				t.Fatal("Run hid a backend error")
			}
			if !strings.Contains(err.Error(), tc.mentions) {
				t.Errorf("error %q does not carry the cause %q", err, tc.mentions)
			}
			if len(rs) != tc.partial {
				t.Errorf("%d results before the error, want %d", len(rs), tc.partial)
			}
			for _, r := range rs {
				if r.Case.Name == "request/forward-chain-counted" {
					t.Error("a battery cut short must not end with the forward-chain case")
				}
			}
		})
	}
}

func TestPrintNamesBrokenCases(t *testing.T) {
	cases, steps := script()
	rs, err := Run(context.Background(), newFake(steps), cases, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	Print(&buf, rs)
	out := buf.String()
	verdicts := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 2 {
			verdicts[f[1]] = f[0]
		}
	}
	for name, v := range map[string]string{"egress/forbidden": "BROKEN", "request/foreign-dns-udp": "BROKEN", "egress/allowed": "holds", "egress/neighbour": "info", "sentry/tcp-22": "could-not-run"} {
		if verdicts[name] != v {
			t.Errorf("Print: %s shown as %q, want %s\n%s", name, verdicts[name], v, out)
		}
	}
	if !strings.Contains(out, "why: outcome connected") || !strings.HasSuffix(out, Summary(rs)+"\n") {
		t.Errorf("Print: want the reasons and the summary\n%s", out)
	}
	buf.Reset()
	if err := PrintJSON(&buf, rs); err != nil {
		t.Fatal(err)
	}
	var back []Result
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || len(back) != len(rs) || back[1].Verdict != Broken || back[1].Why != rs[1].Why {
		t.Errorf("PrintJSON does not round-trip: %v", err)
	}
}

// TestRunAlreadyLearned: a "closed before resolving" case whose address an
// earlier run already opened reports instead of judging; the same case on
// a fresh sentry is judged (and here the address got through: BROKEN).
func TestRunAlreadyLearned(t *testing.T) {
	e := Expect{Text: "dropped", Outcomes: dropped, Moved: []string{dropRule}, UnlessLearned: "198.51.100.77"}
	c := tcpCase("learn/before-resolving", "198.51.100.77:443", e)
	steps := map[string]step{"198.51.100.77:443": {result: probe.Result{Outcome: probe.Connected}, counts: []string{"rbm:fwd-jump", "rbm:fwd-learned"}}}

	f := newFake(steps)
	f.rules["rbm:fwd-learned-198.51.100.77"] = firewall.Counter{Packets: 3}
	rs, err := Run(context.Background(), f, []Case{c}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Verdict != Info || !strings.Contains(rs[0].Why, "learned before") {
		t.Errorf("already learned: %s %q, want info", rs[0].Verdict, rs[0].Why)
	}

	rs, err = Run(context.Background(), newFake(steps), []Case{c}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Verdict != Broken {
		t.Errorf("fresh sentry: %s, want BROKEN for a connection that should have been dropped", rs[0].Verdict)
	}
}

// A selection without the closing case leaves it out: a few cases that
// forward nothing are not a FORWARD chain that "did not move".
func TestRunSelectionWithoutTotal(t *testing.T) {
	cases := []Case{tcpCase("sentry/tcp-22", "10.242.0.2:22", Expect{Text: "dropped", Outcomes: dropped, Moved: []string{enclaveDrop}})}
	f := newFake(map[string]step{"10.242.0.2:22": {result: probe.Result{Outcome: probe.Timeout}, counts: []string{enclaveDrop}}})
	s, err := Select(cases, []string{"sentry/*"})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := RunSelection(context.Background(), f, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Verdict != Holds || !AllHold(rs) {
		t.Errorf("got %s, want the one case, holding", Summary(rs))
	}
}
