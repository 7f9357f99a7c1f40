package sentry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/firewall/backends"
	"github.com/recipe-bottle/rbm/internal/firewall/firewalltest"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// These tests drive Serve in-process with DNS off (so no dnsmasq is
// needed) against a fake kernel: firewalltest.Fake for the firewall (for
// each backend), runner.Fake for the interface listing and fakeSysctls for
// /proc/sys. They check the order of side effects and the fail-closed
// paths; the root tests check the same against the real thing.

// syncBuffer is an io.Writer safe for the sentry's concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// baseEnv is a valid allowlist configuration with DNS off.
var baseEnv = []string{
	"RBRR_POD_SUBNET=10.99.0.0/24",
	"RBRR_SENTRY_IP=10.99.0.2",
	"RBRR_BOTTLE_IP=10.99.0.3",
	"RBRN_UPLINK_ACCESS_ENABLED=true",
	"RBRN_UPLINK_ALLOWED_CIDRS=203.0.113.0/24",
}

func mustConfig(t *testing.T, extra ...string) *config.Config {
	t.Helper()
	c, _, err := config.Load(nil, append(append([]string{}, baseEnv...), extra...))
	if err != nil {
		t.Fatalf("test configuration: %v", err)
	}
	return c
}

// forBackends runs fn once per firewall backend.
func forBackends(t *testing.T, fn func(t *testing.T, backend string)) {
	for _, name := range backends.Names {
		t.Run(name, func(t *testing.T) { fn(t, name) })
	}
}

// fakeKernel records the firewall's loads and every sysctl write, in one
// order.
type fakeKernel struct {
	backend string
	mu      sync.Mutex
	events  []string // "apply", "lockdown", "check", "sysctl k=v"
	addrs   string
	fw      *firewalltest.Fake
	runner  *runner.Fake
	sysctls *fakeSysctls
}

func newFakeKernel(t *testing.T, backend string) *fakeKernel {
	fw, err := firewalltest.New(backend)
	if err != nil {
		t.Fatal(err)
	}
	k := &fakeKernel{backend: backend, fw: fw, addrs: readTestdata(t, "addr-two.json")}
	fw.OnCall = func(call string) {
		switch call {
		case firewalltest.CallApply, firewalltest.CallLockdown, firewalltest.CallCheck:
			k.record(call)
		}
	}
	routes := readTestdata(t, "route-uplink.json")
	k.sysctls = &fakeSysctls{onSet: func(kv string) { k.record("sysctl " + kv) }}
	k.runner = &runner.Fake{Respond: func(c runner.Cmd) ([]byte, error) {
		k.mu.Lock()
		addrs := k.addrs
		k.mu.Unlock()
		switch c.String() {
		case cmdAddrs:
			return []byte(addrs), nil
		case cmdRoutes:
			return []byte(routes), nil
		}
		return nil, fmt.Errorf("fake kernel: unexpected command %s", c)
	}}
	return k
}

// sentry is a Sentry on k, loading cfg.
func (k *fakeKernel) sentry(t *testing.T, log io.Writer, cfg *config.Config) *Sentry {
	return &Sentry{Runner: k.runner, Starter: noStarter{t}, Sysctls: k.sysctls, Log: log, StateDir: t.TempDir(),
		NewBackend: k.fw.Factory(), Load: func() (*config.Config, error) { return cfg, nil }}
}

// lastText is every document of the last ruleset applied.
func (k *fakeKernel) lastText() string {
	rs, _ := k.fw.Last()
	var b strings.Builder
	for _, d := range rs.Docs {
		b.WriteString(d.Text)
	}
	return b.String()
}

func (k *fakeKernel) record(e string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.events = append(k.events, e)
}

// snapshot is the events so far and the number of rulesets applied.
func (k *fakeKernel) snapshot() ([]string, int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.events...), len(k.fw.Applied())
}

// noStarter fails the test if anything is started: with DNS off nothing may be.
type noStarter struct{ t *testing.T }

func (n noStarter) Start(_ context.Context, c runner.Cmd, _, _ io.Writer) (runner.Proc, error) {
	n.t.Errorf("started %s with DNS off", c)
	return nil, errors.New("no starter")
}

// served is a Serve running on its own goroutine.
type served struct {
	s      *Sentry
	k      *fakeKernel
	log    *syncBuffer
	cfg    atomic.Pointer[config.Config]
	cfgErr atomic.Pointer[error]
	reload chan struct{}
	cancel context.CancelFunc
	done   chan error
}

func serve(t *testing.T, k *fakeKernel, cfg *config.Config) *served {
	t.Helper()
	sv := &served{k: k, log: &syncBuffer{}, reload: make(chan struct{}), done: make(chan error, 1)}
	sv.cfg.Store(cfg)
	sv.s = k.sentry(t, sv.log, cfg)
	sv.s.Load = func() (*config.Config, error) {
		if e := sv.cfgErr.Load(); e != nil {
			return nil, *e
		}
		return sv.cfg.Load(), nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	sv.cancel = cancel
	t.Cleanup(func() {
		cancel()
		select {
		case <-sv.done:
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return after its context ended")
		}
	})
	go func() { sv.done <- sv.s.Serve(ctx, sv.reload) }()
	return sv
}

// waitReady waits for the ready marker; Serve must not have returned.
func (sv *served) waitReady(t *testing.T) Marker {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if m, err := ReadMarker(sv.s.StateDir); err == nil {
			return m
		}
		select {
		case err := <-sv.done:
			sv.done <- err
			t.Fatalf("Serve returned before ready: %v\nlog:\n%s", err, sv.log)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no ready marker after 5s; log:\n%s", sv.log)
		}
	}
}

// result waits for Serve to return.
func (sv *served) result(t *testing.T) error {
	t.Helper()
	select {
	case err := <-sv.done:
		sv.done <- err // for the cleanup
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("Serve did not return; log:\n%s", sv.log)
		return nil
	}
}

// doReload sends one reload and waits until the log shows its outcome.
func (sv *served) doReload(t *testing.T) string {
	t.Helper()
	before := len(sv.log.String())
	select {
	case sv.reload <- struct{}{}:
	case <-time.After(5 * time.Second):
		t.Fatal("Serve does not take reloads")
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if out := sv.log.String()[before:]; strings.Contains(out, "reload") {
			return out
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no reload outcome logged; log:\n%s", sv.log)
	return ""
}

func index(events []string, e string) int {
	for i, x := range events {
		if x == e {
			return i
		}
	}
	return -1
}
