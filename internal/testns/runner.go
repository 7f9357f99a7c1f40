package testns

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// Runner runs every command inside one named network namespace through
// "ip netns exec", so code under test runs unchanged against it.
type Runner struct {
	Name string
}

// NewRunner creates a namespace as New does and returns its Runner.
func NewRunner(t testing.TB, prefix string) Runner {
	t.Helper()
	return Runner{Name: New(t, prefix)}
}

// Run runs c in the namespace.
func (n Runner) Run(ctx context.Context, c runner.Cmd) ([]byte, error) {
	return runner.InNetns{Name: n.Name, Inner: runner.Exec{}}.Run(ctx, c)
}

// Must runs a setup command in the namespace and fails the test on error.
func (n Runner) Must(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := n.Run(context.Background(), runner.Cmd{Name: name, Args: args})
	if err != nil {
		t.Fatalf("in %s: %v", n.Name, err)
	}
	return string(out)
}

// NeedRoot skips unless the test can create namespaces and run progs
// (ip always).
func NeedRoot(t testing.TB, progs ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces")
	}
	for _, p := range append([]string{"ip"}, progs...) {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("needs %s", p)
		}
	}
}
