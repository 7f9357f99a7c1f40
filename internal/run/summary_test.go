package run

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/dnsguard"
	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/golden"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/runtimes"
	"github.com/recipe-bottle/rbm/internal/suggest"
)

func TestSummary(t *testing.T) {
	deny := func(dst string) events.Event {
		return events.Event{Kind: events.Deny, Rule: "rbm:fwd-drop", Proto: "tcp", Dst: dst, Port: 443}
	}
	evs := []events.Event{
		{Kind: events.DNS, Name: "pypi.test", Verdict: events.NotAllowed},
		{Kind: events.DNS, Name: "files.pypi.test", Verdict: events.NotAllowed},
		{Kind: events.DNS, Name: "x.allowed.test", Verdict: events.NotAllowed}, // inside an allowed domain
		{Kind: events.DNS, Name: "evil\x1b[2J.test", Verdict: dnsguard.NotHostName},
		deny("203.0.113.7"), deny("198.51.100.0"), // the second is inside an allowed CIDR
		{Kind: events.Deny, Rule: "rbm:fwd-linklocal", Proto: "tcp", Dst: "169.254.169.254", Port: 80},
	}
	cur := suggest.Current{Domains: []string{"allowed.test"}, Match: policy.MatchSubdomains, CIDRs: []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24")}}
	var b strings.Builder
	Summary(&b, suggest.Build(evs), cur)
	golden.Check(t, "summary.txt", b.String())

	b.Reset()
	Summary(&b, suggest.Build(nil), cur)
	if b.Len() != 0 {
		t.Errorf("nothing refused, yet: %q", b.String())
	}
}

func TestSummaryBoundsTheList(t *testing.T) {
	var evs []events.Event
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"} {
		evs = append(evs, events.Event{Kind: events.DNS, Name: n + ".test", Verdict: events.NotAllowed})
	}
	var b strings.Builder
	Summary(&b, suggest.Build(evs), suggest.Current{})
	golden.Check(t, "summary-long.txt", b.String())
}

func TestExecCmd(t *testing.T) {
	rt, err := runtimes.For("podman")
	if err != nil {
		t.Fatal(err)
	}
	s := &Spec{Env: []Env{{Name: "TOKEN"}, {Name: "A", Value: "b c", HasValue: true}}, Workdir: "/work"}
	got := ExecCmd(rt, "run-1", true, s, []string{"sh", "-c", "exit 3"})
	want := []string{"exec", "-i", "-t", "-e", "TOKEN", "-e", "A=b c", "-w", "/work", "run-1-bottle", "sh", "-c", "exit 3"}
	if got.Name != "podman" || strings.Join(got.Args, "|") != strings.Join(want, "|") {
		t.Errorf("got %s %q, want %q", got.Name, got.Args, want)
	}
}
