package nftables_test

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/testns"
)

// nsRunner runs every command inside one named network namespace, through
// "ip netns exec", so the code under test runs unchanged against it.
type nsRunner struct {
	name string
}

// Run runs c in the namespace.
func (n nsRunner) Run(ctx context.Context, c runner.Cmd) ([]byte, error) {
	return runner.InNetns{Name: n.name, Inner: runner.Exec{}}.Run(ctx, c)
}

// must runs a setup command in the namespace and fails the test on error.
func (n nsRunner) must(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := n.Run(context.Background(), runner.Cmd{Name: name, Args: args})
	if err != nil {
		t.Fatalf("in %s: %v", n.name, err)
	}
	return string(out)
}

// mustLoad feeds doc to "nft -f -" in the namespace.
func (n nsRunner) mustLoad(t *testing.T, doc string) {
	t.Helper()
	if _, err := n.Run(context.Background(), runner.Cmd{Name: "nft", Args: []string{"-f", "-"}, Stdin: doc}); err != nil {
		t.Fatalf("in %s: nft -f: %v", n.name, err)
	}
}

// needRoot skips unless the test can create namespaces and run progs.
func needRoot(t *testing.T, progs ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces")
	}
	for _, p := range append([]string{"ip", "nft"}, progs...) {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("needs %s", p)
		}
	}
}

// newNetns creates an empty namespace "rbmnft-<random>" with loopback up,
// linked to nothing, and deletes it when the test ends, failed or not.
func newNetns(t *testing.T) nsRunner {
	t.Helper()
	return nsRunner{testns.New(t, "rbmnft")}
}
