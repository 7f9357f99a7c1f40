// Package testns gives tests throwaway network namespaces: empty but for
// loopback, linked to nothing (so nothing sent in them can leave), and
// deleted when the test ends, failed or not. It is imported by tests only.
package testns

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"runtime"
	"testing"

	"github.com/vishvananda/netns"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// New creates the namespace "<prefix>-<8 hex digits>" with loopback up and
// returns its name.
func New(t testing.TB, prefix string) string {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := prefix + "-" + hex.EncodeToString(b)
	ip := runner.Exec{}
	ctx := context.Background() // the cleanup must run even after the test's context ended
	if _, err := ip.Run(ctx, runner.Cmd{Name: "ip", Args: []string{"netns", "add", name}}); err != nil {
		t.Fatalf("create namespace %s: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := ip.Run(ctx, runner.Cmd{Name: "ip", Args: []string{"netns", "del", name}}); err != nil {
			t.Errorf("delete namespace %s: %v", name, err)
		}
	})
	if _, err := ip.Run(ctx, runner.Cmd{Name: "ip", Args: []string{"-n", name, "link", "set", "lo", "up"}}); err != nil {
		t.Fatalf("loopback up in %s: %v", name, err)
	}
	return name
}

// Do runs fn on an OS thread switched into the namespace name, so the
// sockets fn creates live there (and stay there when used from other
// threads). The thread switches back before it is released; if it cannot,
// it stays locked and dies with its goroutine, so no other code ever runs
// in the namespace by mistake (not even the main thread, which a process
// lookup such as `ip netns pids` would then count as inside it).
func Do(name string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			errc <- err
			return
		}
		defer orig.Close()
		h, err := netns.GetFromName(name)
		if err != nil {
			errc <- err
			return
		}
		defer h.Close()
		if err := netns.Set(h); err != nil {
			errc <- err
			return
		}
		err = fn()
		if netns.Set(orig) == nil {
			runtime.UnlockOSThread()
		}
		errc <- err
	}()
	return <-errc
}
