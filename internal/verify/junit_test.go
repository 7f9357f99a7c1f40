package verify

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/probe"
)

// TestJUnit: one test case per case; BROKEN is a failure whose text says
// what was tried, expected and observed and which rules moved; a case that
// could not run is an error; holds and info pass.
func TestJUnit(t *testing.T) {
	rs := []Result{
		{Case: Case{Name: "egress/forbidden-tcp-443", Tried: "TCP connect 198.51.100.99:443", Expect: Expect{Text: "dropped by the sentry"}},
			Observed: probe.Result{Outcome: probe.Timeout}, Verdict: Holds, Moved: []string{"rbm:fwd-drop"}},
		{Case: Case{Name: "egress/metadata", Tried: "TCP connect 169.254.169.254:80", Expect: Expect{Text: "dropped in every mode"}},
			Observed: probe.Result{Outcome: probe.Connected}, Verdict: Broken, Why: "outcome connected, want timeout", Moved: []string{"rbm:fwd-allow-global"}},
		{Case: Case{Name: "dns/exfil", Tried: "dig", Expect: Expect{Text: "reported"}}, Verdict: Info},
		{Case: Case{Name: "escape/raw", Tried: "raw"}, Verdict: NotRun, Why: "probe: exec failed"},
	}
	var b strings.Builder
	if err := WriteJUnit(&b, "rbm verify", rs); err != nil {
		t.Fatal(err)
	}
	var got junitSuites
	if err := xml.Unmarshal([]byte(b.String()), &got); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b.String())
	}
	s := got.Suites[0]
	if s.Tests != 4 || s.Failures != 1 || s.Errors != 1 || len(s.Cases) != 4 {
		t.Fatalf("suite %+v", s)
	}
	broken := s.Cases[1]
	if broken.Class != "rbm.verify.egress" || broken.Name != "metadata" || broken.Failure == nil ||
		!strings.Contains(broken.Failure.Message, "want timeout") ||
		!strings.Contains(broken.Failure.Text, "tried: TCP connect 169.254.169.254:80") ||
		!strings.Contains(broken.Failure.Text, "expected: dropped in every mode") ||
		!strings.Contains(broken.Failure.Text, "observed: connected") ||
		!strings.Contains(broken.Failure.Text, "fwd-allow-global") {
		t.Errorf("broken case %+v", broken)
	}
	if s.Cases[0].Failure != nil || s.Cases[2].Failure != nil || !strings.HasPrefix(s.Cases[2].Out, "info") {
		t.Errorf("holds/info must pass: %+v %+v", s.Cases[0], s.Cases[2])
	}
	if s.Cases[3].Error == nil || !strings.Contains(s.Cases[3].Error.Message, "exec failed") {
		t.Errorf("a case that could not run: %+v", s.Cases[3])
	}
}
