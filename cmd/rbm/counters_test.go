package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/firewall"
)

func TestWriteCountersGateAfterKernel(t *testing.T) {
	snap := firewall.Snapshot{
		Rules:    map[string]firewall.Counter{"rbm:fwd-drop": {Packets: 5, Bytes: 300}, "rbm:fwd-learned-192.0.2.7": {Packets: 12, Bytes: 1008}},
		Policies: map[string]firewall.Counter{"filter/FORWARD": {Packets: 1, Bytes: 60}},
	}
	names := map[string]string{"rbm:fwd-learned-192.0.2.7": "api.example.com"}
	gate := map[string]uint64{"rbm:gate-unread": 2, "rbm:gate-pass": 40, "rbm:gate-name": 3, "rbm:gate-future": 1}
	var b bytes.Buffer
	writeCounters(&b, snap, names, gate)
	want := `      PACKETS  BYTES                                          RULE
            5    300                                  rbm:fwd-drop
           12   1008   rbm:fwd-learned-192.0.2.7 (api.example.com)
            1     60                       filter/FORWARD (policy)
  CONNECTIONS                                       NAME GATE RULE
           40                                        rbm:gate-pass
            3                                        rbm:gate-name
            2                                      rbm:gate-unread
            1                                      rbm:gate-future
`
	if got := b.String(); got != want {
		t.Errorf("writeCounters:\n%s\nwant:\n%s", got, want)
	}
}

func TestWriteCountersWithoutGate(t *testing.T) {
	var b bytes.Buffer
	writeCounters(&b, firewall.Snapshot{Rules: map[string]firewall.Counter{"rbm:fwd-drop": {Packets: 1, Bytes: 2}}}, nil, nil)
	if strings.Contains(b.String(), "GATE") || strings.Count(b.String(), "\n") != 2 {
		t.Errorf("without the gate's file only the kernel's counters are printed, got:\n%s", b.String())
	}
}

func TestGateCountsPrefixesIDs(t *testing.T) {
	dir := t.TempDir()
	if m, err := gateCounts(dir); err != nil || m != nil {
		t.Fatalf("no file: %v, %v; want nil, nil", m, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gate.json"), []byte(`{"gate-pass":7}`), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := gateCounts(dir)
	if err != nil || len(m) != 1 || m["rbm:gate-pass"] != 7 {
		t.Errorf("gateCounts = %v, %v; want map[rbm:gate-pass:7]", m, err)
	}
}
