package nftables_test

import (
	"context"
	"testing"

	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/testns"
)

// nsRunner runs commands inside one throwaway network namespace.
type nsRunner = testns.Runner

// mustLoad feeds doc to "nft -f -" in the namespace.
func mustLoad(t *testing.T, n nsRunner, doc string) {
	t.Helper()
	if _, err := n.Run(context.Background(), runner.Cmd{Name: "nft", Args: []string{"-f", "-"}, Stdin: doc}); err != nil {
		t.Fatalf("in %s: nft -f: %v", n.Name, err)
	}
}

// needRoot skips unless the test can create namespaces and run nft and progs.
func needRoot(t *testing.T, progs ...string) {
	t.Helper()
	testns.NeedRoot(t, append([]string{"nft"}, progs...)...)
}

// newNetns creates an empty namespace "rbmnft-<random>" with loopback up,
// linked to nothing, and deletes it when the test ends, failed or not.
func newNetns(t *testing.T) nsRunner { t.Helper(); return testns.NewRunner(t, "rbmnft") }
