package lab_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/lab"
	"github.com/recipe-bottle/rbm/internal/probe"
)

// TestE2ERefusalsSurviveAFlood: a bottle asks for 20,000 random names (more
// than the history's 4,096 events) after a refused name and a refused
// connection; rbm suggest and the sentry's events still list both, with
// their counts, and say how many refusals were counted only.
func TestE2ERefusalsSurviveAFlood(t *testing.T) {
	tl := startLab(t, "RBRN_UPLINK_LEARN_ADDRESSES=false\n")
	a, p, sentryIP := tl.info.Addresses, tl.info.Policy, tl.info.Policy.SentryIP.String()
	for range 2 {
		wantAnswer(t, tl.probes(t, false, dnsSpec(sentryIP, lab.ForbiddenName(p), false, passTimeout))[0], "NXDOMAIN")
	}
	tl.probeBatch(t.Context(), false, 1, []probe.Spec{tcpSpec(a.Forbidden.String()+":443", dropTimeout)})

	out, err := helperCmd(t, t.Context(), tl.ns(lab.Bottle), "dnsflood", sentryIP+":53", "20000").CombinedOutput()
	if err != nil || !strings.HasPrefix(strings.TrimSpace(string(out)), "answered ") {
		t.Fatalf("dnsflood: %v: %s", err, out)
	}
	t.Logf("flood: %s", strings.TrimSpace(string(out)))

	sug, err := run(t.Context(), "", tl.rbm, "suggest", "--lab", "--prefix", tl.lab.Prefix)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{lab.ForbiddenName(p) + " ", a.Forbidden.String() + " ", "more refusals, counted only"} {
		if !strings.Contains(string(sug), want) {
			t.Errorf("after the flood rbm suggest lacks %q:\n%.3000s", want, sug)
		}
	}

	evs, err := run(t.Context(), "", tl.rbm, "sentry", "events", "--state-dir", tl.info.SentryDir)
	if err != nil {
		t.Fatal(err)
	}
	names, denied, kept := 0, 0, 0
	for _, l := range strings.Split(strings.TrimSpace(string(evs)), "\n") {
		var e events.Event
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("event line %q: %v", l, err)
		}
		kept++
		switch {
		case e.Kind == events.DNS && e.Name == lab.ForbiddenName(p):
			names += e.Times()
		case e.Kind == events.Deny && e.Dst == a.Forbidden.String():
			denied += e.Times()
		}
	}
	if names != 2 || denied < 1 {
		t.Errorf("after the flood the events hold %d refusals of %s (want 2) and %d denials of %s (want >= 1)", names, lab.ForbiddenName(p), denied, a.Forbidden)
	}
	if kept > 4096+2048+1 {
		t.Errorf("%d events returned, above the history's and the tally's bounds", kept)
	}
}
