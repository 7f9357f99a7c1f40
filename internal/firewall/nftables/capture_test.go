package nftables_test

import (
	"context"
	"github.com/recipe-bottle/rbm/internal/golden"
	"net"
	"os"
	"testing"

	"github.com/recipe-bottle/rbm/internal/firewall/nftables"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/testns"
)

// captureFile is real "nft -j list table inet rbm" output, parsed by
// TestParseCountersCaptured; rewritten by this test under -update.
const captureFile = "testdata/list-table.json"

// TestCaptureCounters loads a learning ruleset, moves the loopback
// counters with one refused TCP connection, gives allow4's and learn4's
// elements counter values, and parses the kernel's listing; under -update
// it saves that listing as captureFile.
func TestCaptureCounters(t *testing.T) {
	needRoot(t)
	ns := newNetns(t)
	ctx := context.Background()
	fw := nftables.Firewall{Runner: ns}
	if err := fw.Apply(ctx, fw.Render(learningPolicy(600), realIfs)); err != nil {
		t.Fatal(err)
	}
	// Element counters move only with forwarded traffic; nft accepts
	// initial values instead, which is what the parser needs to see.
	mustLoad(t, ns, "flush set inet rbm allow4\n"+
		"add element inet rbm allow4 { 203.0.113.0/24 counter packets 7 bytes 420, 198.51.100.80 counter packets 3 bytes 180 }\n"+
		"add element inet rbm learn4 { 198.51.100.7 counter packets 2 bytes 120 }\n")
	if err := testns.Do(ns.Name, func() error {
		if c, err := net.Dial("tcp", "127.0.0.1:9"); err == nil {
			c.Close()
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	out, err := ns.Run(ctx, runner.Cmd{Name: "nft", Args: []string{"-j", "list", "table", "inet", "rbm"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nftables.ParseCounters(out); err != nil {
		t.Fatal(err)
	}
	if golden.Updating() {
		if err := os.WriteFile(captureFile, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
