package engine

import (
	"bytes"
	"context"
	"testing"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// cliOnly is a Runtime of which readCounters uses only the CLI's name.
type cliOnly struct{ Runtime }

func (cliOnly) CLI() string { return "podman" }

// TestStatusCountersWithGate reads what rbm counters --json prints (the
// kernel's snapshot, the learned names, the gate's connections) and shows
// the rules that moved, the gate's on a line of their own.
func TestStatusCountersWithGate(t *testing.T) {
	out := `{"Rules":{"rbm:fwd-drop":{"Packets":4,"Bytes":240},"rbm:fwd-allow-dns":{"Packets":0,"Bytes":0}},
		"Policies":{"filter/FORWARD":{"Packets":0,"Bytes":0}},
		"learned_names":{"rbm:fwd-learned-192.0.2.7":"api.example.com"},
		"gate_connections":{"rbm:gate-pass":40,"rbm:gate-name":3}}`
	r := &runner.Fake{Respond: func(runner.Cmd) ([]byte, error) { return []byte(out), nil }}
	s := Status{Members: []Member{{Role: "sentry", State: "running"}}}
	s.readCounters(context.Background(), cliOnly{}, r, NamesFor("notebook"))
	if len(s.Notes) > 0 || s.Counters == nil || s.Gate["rbm:gate-pass"] != 40 {
		t.Fatalf("readCounters: notes %q, counters %v, gate %v", s.Notes, s.Counters, s.Gate)
	}
	var b bytes.Buffer
	s.writeCounters(&b)
	want := "counters (packets, rules that moved): rbm:fwd-drop=4\n" +
		"name gate (connections, rules that moved): rbm:gate-name=3 rbm:gate-pass=40\n"
	if b.String() != want {
		t.Errorf("writeCounters:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestStatusCountersWithoutGate(t *testing.T) {
	r := &runner.Fake{Respond: func(runner.Cmd) ([]byte, error) { return []byte(`{"Rules":{},"Policies":{}}`), nil }}
	s := Status{Members: []Member{{Role: "sentry", State: "running"}}}
	s.readCounters(context.Background(), cliOnly{}, r, NamesFor("notebook"))
	var b bytes.Buffer
	s.writeCounters(&b)
	if want := "counters: no rule has counted a packet yet\n"; b.String() != want {
		t.Errorf("writeCounters = %q; want %q", b.String(), want)
	}
}
