package verify

import (
	"bytes"
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/probe"
)

var (
	upstreamAddr  = netip.MustParseAddr("198.51.100.53")
	forbiddenAddr = netip.MustParseAddr("198.51.100.99")
)

// TestJudgeNoWayOut judges recorded evidence from a sentry with no way
// out: a success that needs the outside, not got while nothing left, could
// not run; a drop still holds; anything else the sentry did is judged.
func TestJudgeNoWayOut(t *testing.T) {
	upstream := []Need{{What: NeedUpstream, Addr: upstreamAddr}}
	answered := Expect{Text: "answered with an address", Outcomes: []probe.Outcome{probe.Answered}, Rcode: "NOERROR", Answers: answers{some: true},
		AnyMoved: []string{"rbm:in-dns-udp"}, Needs: upstream}
	reaches := Expect{Text: "reaches", Outcomes: reachedTCP, Moved: []string{"rbm:fwd-allow-global"}, Needs: uplinkNeed(forbiddenAddr)}
	resolvedDrop := Expect{Text: "dropped", Outcomes: dropped, Moved: []string{"rbm:fwd-host"}, Needs: upstream}
	ownDrop := Expect{Text: "dropped", Outcomes: dropped, Moved: []string{outDrop}, Dst: forbiddenAddr, ForeignUntouched: true}
	refused := probe.Result{Outcome: probe.Answered, Rcode: "REFUSED"}
	unreachable := probe.Result{Outcome: probe.Unreachable}
	noRoute := Way{Why: "the sentry has no route to it"}
	none := routes{upstreamAddr: noRoute, forbiddenAddr: noRoute}
	some := routes{}
	dead := Way{Why: "no host answers ARP for 198.51.100.53 on the sentry's eth1", Wire: true}
	wire := routes{upstreamAddr: dead, forbiddenAddr: dead}
	for _, c := range []struct {
		name     string
		e        Expect
		obs      probe.Result
		moved    []string
		w        witness
		rs       routes
		want     Verdict
		wantRule string
		wantNote string
	}{
		{"no route to the upstream, nothing left", answered, refused, []string{"rbm:in-dns-udp"}, witness{}, none, NotRun, "rbm:out-dns-udp", ""},
		{"a query left for the upstream", answered, refused, []string{"rbm:in-dns-udp", "rbm:out-dns-udp"}, witness{}, none, Broken, "rbm:in-dns-udp", ""},
		{"the upstream has a route", answered, refused, []string{"rbm:in-dns-udp"}, witness{}, some, Broken, "rbm:in-dns-udp", ""},
		{"a dead next hop", answered, refused, []string{"rbm:in-dns-udp", "rbm:out-dns-udp"}, witness{}, wire, NotRun, "", ""},
		{"a dead next hop, the sentry denied it", answered, refused, []string{"rbm:in-enclave-drop"}, witness{}, wire, Broken, "rbm:in-dns-udp", ""},
		{"a dead next hop, dropped as invalid", reaches, unreachable, []string{"rbm:fwd-jump", "rbm:fwd-invalid"}, witness{}, wire, Broken, "rbm:fwd-allow-global", ""},
		{"the sentry's own drop, next hop dead", ownDrop, probe.Result{Outcome: probe.Timeout}, nil, witness{}, wire, Broken, outDrop, ""},
		{"the sentry denied it", answered, refused, []string{"rbm:in-enclave-drop"}, witness{}, none, Broken, "rbm:in-dns-udp", ""},
		{"needs nothing outside", Expect{Text: "NXDOMAIN", Outcomes: []probe.Outcome{probe.Answered}, Rcode: "NXDOMAIN"}, refused, nil, witness{}, none, Broken, "", ""},
		{"no route out, nothing forwarded", reaches, unreachable, nil, witness{}, none, NotRun, masqRule, ""},
		{"no route out, but a flow left", reaches, unreachable, []string{masqRule}, witness{}, none, Broken, "rbm:fwd-allow-global", ""},
		{"no route out, dropped by the sentry", reaches, probe.Result{Outcome: probe.Timeout}, []string{"rbm:fwd-jump", "rbm:fwd-drop"}, witness{}, none, Broken, "rbm:fwd-allow-global", ""},
		{"reached anyway", reaches, probe.Result{Outcome: probe.Connected}, []string{"rbm:fwd-allow-global"}, witness{}, none, Holds, "rbm:fwd-allow-global", ""},
		{"not resolved, so never tried", resolvedDrop, refused, []string{"rbm:in-dns-udp"}, witness{}, none, NotRun, "rbm:out-dns-udp", ""},
		{"connected where a drop was expected", resolvedDrop, probe.Result{Outcome: probe.Connected}, nil, witness{}, none, Broken, "rbm:fwd-host", ""},
		{"the sentry's own drop, never sent", ownDrop, unreachable, nil, witness{}, none, Holds, outDrop, unsentNote},
		{"the sentry's own drop, by its rule", ownDrop, probe.Result{Outcome: probe.Timeout}, []string{outDrop}, witness{}, none, Holds, outDrop, ""},
		{"the sentry's own drop, with a route", ownDrop, unreachable, nil, witness{}, some, Broken, outDrop, ""},
		{"the sentry's own flow connected", ownDrop, probe.Result{Outcome: probe.Connected}, nil, witness{}, none, Broken, outDrop, ""},
		{"the sentry's own query reached the foreign resolver", ownDrop, unreachable, nil, witness{foreign: 1}, none, Broken, outDrop, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := Result{Case: Case{Name: "x/y", Expect: c.e}, Observed: c.obs, Moved: c.moved}
			judgeCase(&r, firewall.Snapshot{}, c.w, c.rs)
			if r.Verdict != c.want || r.Rule != c.wantRule || r.Note != c.wantNote {
				t.Errorf("verdict %s rule %q note %q (why %q), want %s rule %q note %q", r.Verdict, r.Rule, r.Note, r.Why, c.want, c.wantRule, c.wantNote)
			}
			if r.Verdict == NotRun && r.Why == "" {
				t.Error("could not run without a reason")
			}
		})
	}
}

// routedFake is the fake sentry with a route table: only the listed
// addresses have a route.
type routedFake struct {
	*fakeBackend
	asked int
}

// SentryWay: no route to anything.
func (f *routedFake) SentryWay(_ context.Context, a netip.Addr) (Way, error) {
	f.asked++
	return Way{Why: "the sentry has no route to it"}, nil
}

// TestRunNoWayOut: on a sentry with no route out nothing crosses FORWARD,
// so the FORWARD-chain case could not run either; each address is asked
// for once.
func TestRunNoWayOut(t *testing.T) {
	e := Expect{Text: "reaches", Outcomes: reachedTCP, Moved: []string{"rbm:fwd-allow-global"}, Needs: uplinkNeed(forbiddenAddr)}
	cases := []Case{tcpCase("egress/a", "198.51.100.99:443", e), tcpCase("egress/b", "198.51.100.99:80", e)}
	steps := map[string]step{"198.51.100.99:443": {result: probe.Result{Outcome: probe.Unreachable}}, "198.51.100.99:80": {result: probe.Result{Outcome: probe.Timeout}}}
	f := &routedFake{fakeBackend: newFake(steps)}
	rs, err := Run(context.Background(), f, cases, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Verdict != NotRun {
			t.Errorf("%s: %s (%s), want %s", r.Case.Name, r.Verdict, r.Why, NotRun)
		}
	}
	if f.asked != 1 {
		t.Errorf("asked for routes %d times, want once", f.asked)
	}
	if AllHold(rs) {
		t.Error("AllHold with cases that could not run")
	}
}

// renderResults has one result of each verdict.
func renderResults() []Result {
	return []Result{
		{Case: Case{Name: "egress/forbidden-tcp-443", Tried: "TCP connect 198.51.100.99:443", Expect: Expect{Text: "dropped by the sentry"}},
			Observed: probe.Result{Outcome: probe.Timeout}, Verdict: Holds, Rule: "rbm:fwd-drop", Moved: []string{"rbm:fwd-drop", "rbm:fwd-jump"}},
		{Case: Case{Name: "egress/cloud-metadata", Tried: "TCP connect 169.254.169.254:80", Expect: Expect{Text: "dropped in every mode"}},
			Observed: probe.Result{Outcome: probe.Connected}, Verdict: Broken, Rule: "rbm:fwd-linklocal", Why: "outcome connected, want timeout", Moved: []string{"rbm:fwd-allow-global"}},
		{Case: Case{Name: "sentry/upstream-resolver", Tried: "dig @10.242.0.2 allowed.test", Expect: Expect{Text: "reported"}},
			Observed: probe.Result{Outcome: probe.Answered, Rcode: "SERVFAIL"}, Verdict: Info, Why: "the upstream resolver does not answer (SERVFAIL)"},
		{Case: Case{Name: "sentry/own-egress-upstream", Tried: "from the sentry: dig @198.51.100.53 allowed.test",
			Expect: Expect{Text: "answered: the upstream is the sentry's one way out", Needs: []Need{{What: NeedUpstream, Addr: upstreamAddr}}}},
			Observed: probe.Result{Outcome: probe.Unreachable}, Verdict: NotRun, Rule: "rbm:out-dns-udp",
			Why: "the sentry's upstream 198.51.100.53 is unreachable: the sentry has no route to it; nothing left (rbm:out-dns-udp, rbm:out-dns-tcp did not move)"},
	}
}

// TestRenderGolden: the plain, JSON and JUnit renderings of each verdict.
func TestRenderGolden(t *testing.T) {
	rs := renderResults()
	var plain, js, junit bytes.Buffer
	Print(&plain, rs)
	if err := PrintJSON(&js, rs); err != nil {
		t.Fatal(err)
	}
	if err := WriteJUnit(&junit, "rbm verify", rs); err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]byte{"render.txt": plain.Bytes(), "render.json": js.Bytes(), "render.xml": junit.Bytes()} {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestRenderGolden -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s changed; if intended, run with -update.\ngot:\n%s\nwant:\n%s", name, got, want)
		}
	}
}

// TestNextHop reads `ip route get` as iproute2 prints it.
func TestNextHop(t *testing.T) {
	a := netip.MustParseAddr("203.0.113.53")
	for _, c := range []struct{ out, hop, dev string }{
		{"203.0.113.53 via 203.0.113.1 dev eth1 src 203.0.113.2 uid 0 \n    cache \n", "203.0.113.1", "eth1"},
		{"203.0.113.53 dev eth1 src 203.0.113.2 uid 0 \n    cache \n", "203.0.113.53", "eth1"},
		{"local 203.0.113.53 dev lo src 203.0.113.53 uid 0 \n", "203.0.113.53", ""},
		{"", "203.0.113.53", ""},
		{"203.0.113.53 via nonsense dev -x\n", "203.0.113.53", ""},
	} {
		hop, dev := nextHop(c.out, a)
		if hop.String() != c.hop || dev != c.dev {
			t.Errorf("%q: %s %q, want %s %q", c.out, hop, dev, c.hop, c.dev)
		}
	}
}
