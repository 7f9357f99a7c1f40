package verify

import (
	"slices"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/probe"
)

func TestExpectJudge(t *testing.T) {
	tests := []struct {
		name    string
		e       Expect
		r       probe.Result
		moved   []string
		foreign int
		ok      bool
		why     []string // each must appear in the reason
	}{
		{name: "empty expectation holds", e: Expect{}, r: probe.Result{Outcome: probe.Timeout}, ok: true},
		{name: "outcome in set", e: Expect{Outcomes: dropped}, r: probe.Result{Outcome: probe.Unreachable}, ok: true},
		{name: "outcome mismatch", e: Expect{Outcomes: dropped}, r: probe.Result{Outcome: probe.Connected},
			why: []string{"outcome connected, want timeout|unreachable|denied"}},
		{name: "empty outcome is a mismatch", e: Expect{Outcomes: reachedTCP}, r: probe.Result{},
			why: []string{"want connected"}},
		{name: "rcode matches", e: Expect{Rcode: "NXDOMAIN"}, r: answered("NXDOMAIN"), ok: true},
		{name: "rcode mismatch", e: Expect{Rcode: "NXDOMAIN"}, r: answered("NOERROR", "203.0.113.1"),
			why: []string{`rcode "NOERROR", want NXDOMAIN`}},
		{name: "rcode missing", e: Expect{Rcode: "NOERROR"}, r: probe.Result{Outcome: probe.Timeout},
			why: []string{`rcode "", want NOERROR`}},
		{name: "some answers: got one", e: Expect{Answers: answers{some: true}}, r: answered("NOERROR", "203.0.113.1"), ok: true},
		{name: "some answers: got none", e: Expect{Answers: answers{some: true}}, r: answered("NOERROR"),
			why: []string{"no answer, want an address"}},
		{name: "no answers: got none", e: Expect{Answers: answers{none: true}}, r: answered("REFUSED"), ok: true},
		{name: "no answers: got records", e: Expect{Answers: answers{none: true}}, r: answered("NOERROR", "allowed.test. 0 IN SOA x"),
			why: []string{"want none"}},
		{name: "excluded answer absent", e: Expect{Answers: answers{exclude: "203.0.113.66"}}, r: answered("NOERROR", "203.0.113.1"), ok: true},
		{name: "excluded answer present", e: Expect{Answers: answers{exclude: "203.0.113.66"}}, r: answered("NOERROR", "203.0.113.1", "203.0.113.66"),
			why: []string{"answer 203.0.113.66 must never be returned"}},
		{name: "noPrivate: documentation address", e: Expect{Answers: answers{noPrivate: true}}, r: answered("NOERROR", "203.0.113.1"), ok: true},
		{name: "noPrivate: no answer", e: Expect{Answers: answers{noPrivate: true}}, r: answered("NOERROR"), ok: true},
		{name: "noPrivate: not an address", e: Expect{Answers: answers{noPrivate: true}}, r: answered("NOERROR", "x.test. 60 IN CNAME y.test."), ok: true},
		{name: "noPrivate: 10/8", e: Expect{Answers: answers{noPrivate: true}}, r: answered("NOERROR", "203.0.113.1", "10.255.0.99"),
			why: []string{"answer 10.255.0.99 is a private"}},
		{name: "noPrivate: 192.168/16", e: Expect{Answers: answers{noPrivate: true}}, r: answered("NOERROR", "192.168.1.1"), why: []string{"192.168.1.1"}},
		{name: "noPrivate: 172.16/12", e: Expect{Answers: answers{noPrivate: true}}, r: answered("NOERROR", "172.20.0.1"), why: []string{"172.20.0.1"}},
		{name: "noPrivate: loopback", e: Expect{Answers: answers{noPrivate: true}}, r: answered("NOERROR", "127.0.0.1"), why: []string{"127.0.0.1"}},
		{name: "noPrivate: cloud metadata", e: Expect{Answers: answers{noPrivate: true}}, r: answered("NOERROR", "169.254.169.254"), why: []string{"169.254.169.254"}},
		{name: "noPrivate: IPv6 ULA", e: Expect{Answers: answers{noPrivate: true}}, r: answered("NOERROR", "fd00::1"), why: []string{"fd00::1"}},
		{name: "noPrivate: IPv6 link-local", e: Expect{Answers: answers{noPrivate: true}}, r: answered("NOERROR", "fe80::1"), why: []string{"fe80::1"}},
		{name: "moved: all present", e: Expect{Moved: []string{"rbm:fwd-drop"}}, moved: []string{"rbm:fwd-drop", "rbm:fwd-jump"}, ok: true},
		{name: "moved: one missing", e: Expect{Moved: []string{"rbm:fwd-drop", "rbm:fwd-jump"}}, moved: []string{"rbm:fwd-jump"},
			why: []string{"rbm:fwd-drop did not move"}},
		{name: "moved: nothing moved", e: Expect{Moved: []string{"rbm:nat-dns-udp"}},
			why: []string{"rbm:nat-dns-udp did not move"}},
		{name: "any moved: one of them", e: Expect{AnyMoved: []string{"rbm:fwd-drop", "rbm:fwd-invalid"}}, moved: []string{"rbm:fwd-invalid"}, ok: true},
		{name: "any moved: none of them", e: Expect{AnyMoved: []string{"rbm:fwd-drop", "rbm:fwd-invalid"}}, moved: []string{"rbm:fwd-jump"},
			why: []string{"none of rbm:fwd-drop, rbm:fwd-invalid moved"}},
		{name: "foreign untouched", e: Expect{ForeignUntouched: true}, foreign: 0, ok: true},
		{name: "foreign touched", e: Expect{ForeignUntouched: true}, foreign: 2,
			why: []string{"the foreign resolver received 2 queries"}},
		{name: "foreign count ignored unless asked", e: Expect{}, foreign: 5, ok: true},
		{name: "every reason at once",
			e:       Expect{Outcomes: []probe.Outcome{probe.Answered}, Rcode: "NXDOMAIN", Moved: []string{"rbm:nat-dns-udp"}, ForeignUntouched: true},
			r:       probe.Result{Outcome: probe.Refused},
			moved:   []string{"rbm:fwd-dns-reject-udp"},
			foreign: 1,
			why:     []string{"outcome refused, want answered", `rcode "", want NXDOMAIN`, "rbm:nat-dns-udp did not move", "received 1 queries"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, why, _ := tc.e.judge(tc.r, tc.moved, witness{foreign: tc.foreign})
			if ok != tc.ok {
				t.Fatalf("judge = %t (%q), want %t", ok, why, tc.ok)
			}
			if ok && why != "" {
				t.Errorf("holds but says why: %q", why)
			}
			for _, w := range tc.why {
				if !strings.Contains(why, w) {
					t.Errorf("reason %q does not mention %q", why, w)
				}
			}
			if len(tc.why) > 1 && strings.Count(why, "; ") != len(tc.why)-1 {
				t.Errorf("reason %q: want %d reasons joined by \"; \"", why, len(tc.why))
			}
		})
	}
}

// TestRefusedMustBeTheSentrys: in reject mode a refusal holds only when the
// sentry's reject rules moved.
func TestRefusedMustBeTheSentrys(t *testing.T) {
	e := rejecting(Expect{Text: "dropped by the sentry", Outcomes: dropped, Moved: []string{"rbm:fwd-drop"}})
	r := probe.Result{Outcome: probe.Refused}
	if ok, why, _ := e.judge(r, []string{"rbm:fwd-drop", "rbm:reject-tcp"}, witness{}); !ok {
		t.Errorf("refused by the sentry: %s", why)
	}
	if ok, _, _ := e.judge(r, []string{"rbm:fwd-drop"}, witness{}); ok {
		t.Error("a refusal with no reject rule moved held")
	}
	if ok, _, _ := e.judge(probe.Result{Outcome: probe.Timeout}, []string{"rbm:fwd-drop"}, witness{}); !ok {
		t.Error("silence with fwd-drop moved must still hold (a held line is never BROKEN)")
	}
	unchanged := Expect{Text: "dropped", Outcomes: dropped, Moved: []string{"rbm:in-enclave-drop"}}
	if got := rejecting(unchanged); !slices.Equal(got.Outcomes, dropped) || got.RefusedBy != nil {
		t.Errorf("the sentry's own ports stay silent drops: %+v", got)
	}
}

// TestJudgeRoutedAway: a drop the sentry's routing made before FORWARD
// holds, named as such, only when nothing crossed FORWARD and no new flow
// left the uplink; a rule accepting ahead of rbm's (the uplink's masquerade
// moved) or a forwarded packet is still BROKEN.
func TestJudgeRoutedAway(t *testing.T) {
	e := Expect{Text: "dropped", Outcomes: dropped, Moved: []string{"rbm:fwd-drop"}, LeftBy: "rbm:nat-masq"}
	timeout := probe.Result{Outcome: probe.Timeout}
	if ok, why, note := e.judge(timeout, nil, witness{}); !ok || note != routedNote {
		t.Errorf("nothing moved: ok=%t why=%q note=%q, want holds by routing", ok, why, note)
	}
	for _, moved := range [][]string{{"rbm:nat-masq"}, {"rbm:fwd-jump"}, {"rbm:fwd-jump", "rbm:nat-masq"}} {
		if ok, _, _ := e.judge(timeout, moved, witness{}); ok {
			t.Errorf("moved %v: holds, want BROKEN", moved)
		}
	}
	if ok, _, _ := e.judge(probe.Result{Outcome: probe.Connected}, nil, witness{}); ok {
		t.Error("connected: holds, want BROKEN")
	}
	blind := e
	blind.LeftBy = ""
	if ok, _, _ := blind.judge(timeout, nil, witness{}); ok {
		t.Error("no witness of the uplink: holds, want BROKEN")
	}
	if ok, _, note := e.judge(timeout, []string{"rbm:fwd-drop", "rbm:fwd-jump"}, witness{}); !ok || note != "" {
		t.Errorf("the rule moved: ok=%t note=%q, want a plain hold", ok, note)
	}
}
