package dns

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

// needRoot skips tests that create network namespaces and run dnsmasq.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces")
	}
	for _, prog := range []string{"ip", binary} {
		if _, err := exec.LookPath(prog); err != nil {
			t.Skipf("needs %s", prog)
		}
	}
}

// testNS is a network namespace owned by one test; it has no link to the
// host, so nothing sent in it can leave.
type testNS struct {
	name   string
	handle netns.NsHandle
}

// newTestNS creates rbmt-dns-<random> holding setup (ip -batch commands)
// and deletes it when the test ends, failed or not.
func newTestNS(t *testing.T, setup string) *testNS {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	ns := &testNS{name: "rbmt-dns-" + hex.EncodeToString(b)}
	ip := runner.Exec{}
	ctx := context.Background() // cleanup must run even after t.Context ends
	if _, err := ip.Run(ctx, runner.Cmd{Name: "ip", Args: []string{"netns", "add", ns.name}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := ip.Run(ctx, runner.Cmd{Name: "ip", Args: []string{"netns", "del", ns.name}}); err != nil {
			t.Errorf("delete namespace: %v", err)
		}
	})
	if _, err := ip.Run(ctx, runner.Cmd{Name: "ip", Args: []string{"-n", ns.name, "-batch", "-"}, Stdin: setup}); err != nil {
		t.Fatal(err)
	}
	h, err := netns.GetFromName(ns.name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	ns.handle = h
	return ns
}

// do runs fn on an OS thread switched into the namespace, so the sockets fn
// creates live there (and stay there when used from other threads). The
// thread stays locked and is discarded when fn returns: never switching
// back means no other goroutine can ever run inside the namespace by mistake.
func (ns *testNS) do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // no Unlock: the thread dies with this goroutine
		if err := netns.Set(ns.handle); err != nil {
			errc <- err
			return
		}
		errc <- fn()
	}()
	return <-errc
}
