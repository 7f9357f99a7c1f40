package dns

import (
	"net/netip"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/events"
)

// session is dnsmasq 2.90's log of a lab session (captured from rbm lab
// up), interleaved as it prints it.
var session = []string{
	"dnsmasq[4509]: query[TXT] version.bind from 10.242.0.2",
	"dnsmasq[4509]: config version.bind is <TXT>",
	"dnsmasq[4509]: query[A] allowed.test from 10.242.0.3",
	"dnsmasq[4509]: forwarded allowed.test to 198.51.100.53",
	"dnsmasq[4509]: ipset add rbm-learn4 203.0.113.1 allowed.test",
	"dnsmasq[4509]: reply allowed.test is 203.0.113.1",
	"dnsmasq[4509]: query[A] forbidden.test from 10.242.0.3",
	"dnsmasq[4509]: config forbidden.test is NXDOMAIN",
	"dnsmasq[4509]: query[A] www.allowed.test from 10.242.0.3",
	"dnsmasq[4509]: forwarded www.allowed.test to 198.51.100.53",
	"dnsmasq[4509]: reply www.allowed.test is <CNAME>",
	"dnsmasq[4509]: reply cdn.allowed.test is 203.0.113.1",
	"dnsmasq[4509]: reply cdn.allowed.test is 203.0.113.2",
	"dnsmasq[4509]: query[A] metadata.bait.test from 10.242.0.3",
	"dnsmasq[4509]: forwarded metadata.bait.test to 198.51.100.53",
	"dnsmasq[4509]: possible DNS-rebind attack detected: metadata.bait.test",
	"dnsmasq[4509]: query[A] allowed.test from 10.242.0.3",
	"dnsmasq[4509]: cached allowed.test is 203.0.113.1",
	"dnsmasq[4509]: query[A] nothere.allowed.test from 10.242.0.3",
	"dnsmasq[4509]: forwarded nothere.allowed.test to 198.51.100.53",
	"dnsmasq[4509]: reply nothere.allowed.test is NXDOMAIN",
	"dnsmasq[4509]: query[AAAA] slow.allowed.test from 10.242.0.3",
	"dnsmasq[4509]: forwarded slow.allowed.test to 198.51.100.53",
}

func TestQueryLogSession(t *testing.T) {
	q := QueryLog{Ignore: netip.MustParseAddr("10.242.0.2")}
	t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	var got []events.Event
	for _, l := range session {
		got = append(got, q.Line(l, t0)...)
	}
	got = append(got, q.Tick(t0.Add(time.Second))...)
	type v struct {
		name, typ, verdict string
		answers            []string
	}
	want := []v{
		{"allowed.test", "A", events.Answered, []string{"203.0.113.1"}},
		{"forbidden.test", "A", events.NotAllowed, []string{"NXDOMAIN"}},
		{"www.allowed.test", "A", events.Answered, []string{"203.0.113.1", "203.0.113.2"}},
		{"metadata.bait.test", "A", events.RebindRefused, nil},
		{"allowed.test", "A", events.Answered, []string{"203.0.113.1"}},
		{"nothere.allowed.test", "A", events.Answered, []string{"NXDOMAIN"}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != events.DNS || g.Name != w.name || g.Type != w.typ || g.Verdict != w.verdict || !slices.Equal(g.Answers, w.answers) || g.Client != "10.242.0.3" {
			t.Errorf("event %d = %+v, want %+v", i, g, w)
		}
	}
	late := q.Tick(t0.Add(upstreamPatience + 2*time.Second))
	if len(late) != 1 || late[0].Name != "slow.allowed.test" || late[0].Verdict != events.UpstreamFailed || late[0].Type != "AAAA" {
		t.Errorf("after the upstream's patience: %+v, want slow.allowed.test upstream failed", late)
	}
	if len(q.pending) != 0 {
		t.Errorf("pending left: %v", q.pending)
	}
}

// TestQueryLogBackToBack: two answers with no line between them stay apart.
func TestQueryLogBackToBack(t *testing.T) {
	var q QueryLog
	var first []events.Event
	now := time.Now()
	for _, l := range []string{
		"dnsmasq[1]: query[A] a.test from 10.0.0.3",
		"dnsmasq[1]: query[A] b.test from 10.0.0.3",
		"dnsmasq[1]: reply a.test is 192.0.2.1",
		"dnsmasq[1]: reply b.test is 192.0.2.2",
	} {
		first = append(first, q.Line(l, now)...)
	}
	got := q.Tick(now)
	if len(first) != 1 || first[0].Name != "a.test" || !slices.Equal(first[0].Answers, []string{"192.0.2.1"}) {
		t.Errorf("first answer = %+v", first)
	}
	if len(q.pending) != 0 || len(got) != 1 || got[0].Name != "b.test" || !slices.Equal(got[0].Answers, []string{"192.0.2.2"}) {
		t.Errorf("second answer = %+v, pending %v", got, q.pending)
	}
}

func TestQueryLogBounded(t *testing.T) {
	var q QueryLog
	now := time.Now()
	for i := range maxPending + 100 {
		q.Line("dnsmasq[1]: query[A] n"+strconv.Itoa(i)+".test from 10.0.0.3", now)
	}
	if len(q.pending) != maxPending {
		t.Errorf("pending = %d, want the bound %d", len(q.pending), maxPending)
	}
	q.Tick(now.Add(time.Minute))
	if len(q.pending) != 0 {
		t.Errorf("after a minute, %d names still pending", len(q.pending))
	}
}
