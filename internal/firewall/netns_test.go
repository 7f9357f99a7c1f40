package firewall_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"runtime"
	"testing"

	"github.com/vishvananda/netns"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// nsRunner runs every command inside one named network namespace, through
// "ip netns exec", so the code under test runs unchanged against it.
type nsRunner struct {
	name string
}

// Run prefixes c with "ip netns exec NAME".
func (n nsRunner) Run(ctx context.Context, c runner.Cmd) ([]byte, error) {
	args := append([]string{"netns", "exec", n.name, c.Name}, c.Args...)
	return runner.Exec{}.Run(ctx, runner.Cmd{Name: "ip", Args: args, Stdin: c.Stdin})
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

// needRoot skips unless the test can create namespaces and run progs.
func needRoot(t *testing.T, progs ...string) {
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

// newNetns creates an empty namespace "rbmt-fw-<random>" with loopback up,
// linked to nothing, and deletes it when the test ends, failed or not.
func newNetns(t *testing.T) nsRunner {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "rbmt-fw-" + hex.EncodeToString(b)
	ctx := context.Background()
	if _, err := (runner.Exec{}).Run(ctx, runner.Cmd{Name: "ip", Args: []string{"netns", "add", name}}); err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	t.Cleanup(func() {
		if _, err := (runner.Exec{}).Run(ctx, runner.Cmd{Name: "ip", Args: []string{"netns", "del", name}}); err != nil {
			t.Errorf("delete namespace %s: %v", name, err)
		}
	})
	n := nsRunner{name}
	n.must(t, "ip", "link", "set", "lo", "up")
	return n
}

// inNetns runs fn on a goroutine whose thread has entered the namespace.
// Sockets belong to the namespace they are created in, so listeners and
// connections made by fn stay there. The thread is never unlocked: it dies
// with the goroutine rather than carry the namespace back into the pool.
func inNetns(n nsRunner, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		h, err := netns.GetFromName(n.name)
		if err != nil {
			errc <- err
			return
		}
		defer h.Close()
		if err := netns.Set(h); err != nil {
			errc <- err
			return
		}
		errc <- fn()
	}()
	return <-errc
}
