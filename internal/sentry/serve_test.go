package sentry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/firewall/iptables"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// These tests drive Serve in-process with DNS off (so no dnsmasq is
// needed) against a fake kernel: runner.Fake for the commands and
// fakeSysctls for /proc/sys. They check the order of side effects and the
// fail-closed paths; the root tests check the same against the real thing.

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

// fakeKernel records every command and sysctl write, in one order.
type fakeKernel struct {
	mu       sync.Mutex
	events   []string // "iptables-restore <first rule id>", "sysctl k=v", ...
	restores []string // iptables-restore documents, in order
	sets     []string // ipset restore documents, in order
	legacy   string   // what iptables-legacy-save prints
	addrs    string
	failV4   func(doc string) error // fails iptables-restore when it returns an error
	runner   *runner.Fake
	sysctls  *fakeSysctls
}

func newFakeKernel(t *testing.T) *fakeKernel {
	k := &fakeKernel{addrs: readTestdata(t, "addr-two.json")}
	routes := readTestdata(t, "route-uplink.json")
	k.sysctls = &fakeSysctls{onSet: func(kv string) { k.record("sysctl " + kv) }}
	k.runner = &runner.Fake{Respond: func(c runner.Cmd) ([]byte, error) {
		k.mu.Lock()
		addrs, legacy, failV4 := k.addrs, k.legacy, k.failV4
		k.mu.Unlock()
		switch c.String() {
		case "iptables --version":
			return []byte("iptables v1.8.9 (nf_tables)\n"), nil
		case "iptables-legacy-save":
			return []byte(legacy), nil
		case "ip6tables-legacy-save":
			return nil, nil
		case cmdAddrs:
			return []byte(addrs), nil
		case cmdRoutes:
			return []byte(routes), nil
		case "iptables-restore":
			if failV4 != nil {
				if err := failV4(c.Stdin); err != nil {
					return nil, err
				}
			}
			k.mu.Lock()
			k.restores = append(k.restores, c.Stdin)
			k.mu.Unlock()
			k.record("iptables-restore " + kind(c.Stdin))
			return nil, nil
		case "ip6tables-restore":
			k.record("ip6tables-restore")
			return nil, nil
		case "ipset restore":
			k.mu.Lock()
			k.sets = append(k.sets, c.Stdin)
			k.mu.Unlock()
			k.record("ipset restore")
			return nil, nil
		case "ipset list -t rbm-learn4":
			return nil, errors.New("ipset: The set with the given name does not exist")
		}
		return nil, fmt.Errorf("fake kernel: unexpected command %s", c)
	}}
	return k
}

// kind tells rbm's ruleset from the lockdown.
func kind(doc string) string {
	switch {
	case doc == iptables.Lockdown():
		return "lockdown"
	case strings.Contains(doc, `"rbm:fwd-drop"`):
		return "rules"
	}
	return "other"
}

// lastSets is the last ipset document loaded.
func (k *fakeKernel) lastSets() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.sets) == 0 {
		return ""
	}
	return k.sets[len(k.sets)-1]
}

func (k *fakeKernel) record(e string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.events = append(k.events, e)
}

func (k *fakeKernel) snapshot() ([]string, []string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.events...), append([]string(nil), k.restores...)
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
	sv.s = &Sentry{
		Runner: k.runner, Starter: noStarter{t}, Sysctls: k.sysctls, Log: sv.log, StateDir: t.TempDir(),
		Load: func() (*config.Config, error) {
			if e := sv.cfgErr.Load(); e != nil {
				return nil, *e
			}
			return sv.cfg.Load(), nil
		},
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

func TestServeOrderReadyAndStop(t *testing.T) {
	k := newFakeKernel(t)
	sv := serve(t, k, mustConfig(t))
	m := sv.waitReady(t)
	if m.PID != os.Getpid() || m.DNS || m.SentryIP.String() != "10.99.0.2" {
		t.Errorf("marker %+v; want this process, DNS off, sentry 10.99.0.2", m)
	}
	// The marker is written just before the ready line is logged.
	for deadline := time.Now().Add(2 * time.Second); !strings.Contains(sv.log.String(), "enclave enc0, uplink up0") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(sv.log.String(), "ready in ") || !strings.Contains(sv.log.String(), "enclave enc0, uplink up0") {
		t.Errorf("log lacks the ready line naming the interfaces:\n%s", sv.log)
	}
	events, restores := k.snapshot()
	rules, v6, fwd := index(events, "iptables-restore rules"), index(events, "ip6tables-restore"), index(events, "sysctl net.ipv4.ip_forward=1")
	if rules < 0 || v6 < rules || fwd < v6 {
		t.Errorf("order of side effects %q; want IPv4 rules, IPv6 rules, then forwarding on", events)
	}
	if fwd != len(events)-1 {
		t.Errorf("events after forwarding was turned on: %q", events[fwd+1:])
	}
	if len(restores) != 1 || !strings.Contains(restores[0], `"rbm:fwd-allow-cidrs"`) || !strings.Contains(restores[0], "-i enc0") {
		t.Errorf("want one ruleset for enc0 allowing the CIDR set, got %d documents", len(restores))
	}
	if sets := k.lastSets(); !strings.Contains(sets, "add rbm-allow4-new 203.0.113.0/24\n") {
		t.Errorf("the sets lack 203.0.113.0/24:\n%s", sets)
	}

	sv.cancel()
	if err := sv.result(t); err != nil {
		t.Fatalf("Serve after cancel: %v", err)
	}
	if _, err := os.Stat(markerPath(sv.s.StateDir)); !os.IsNotExist(err) {
		t.Errorf("ready marker still there after stop: %v", err)
	}
	after, _ := k.snapshot()
	if stop := after[len(events):]; len(stop) == 0 || stop[0] != "iptables-restore lockdown" || slices.ContainsFunc(stop, func(e string) bool { return strings.Contains(e, "fwd-allow") }) {
		t.Errorf("stopping must load the lockdown ruleset and nothing else: %q", after[len(events):])
	}
	if !strings.Contains(sv.log.String(), "the enclave is closed") {
		t.Errorf("log does not say the enclave is closed:\n%s", sv.log)
	}
}

func TestServeFailsClosed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(k *fakeKernel, sv *Sentry)
		extra []string
		want  []string
	}{
		{name: "invalid configuration",
			setup: func(_ *fakeKernel, s *Sentry) {
				s.Load = func() (*config.Config, error) {
					c, _, err := config.Load(nil, append(append([]string{}, baseEnv...), "RBRN_UPLINK_ACCESS_ENABLED=maybe"))
					return c, err
				}
			},
			want: []string{"configuration", "RBRN_UPLINK_ACCESS_ENABLED", "maybe"}},
		{name: "sentry address on no interface", extra: []string{"RBRR_SENTRY_IP=10.99.0.4"},
			want: []string{"RBRR_SENTRY_IP", "10.99.0.4"}},
		{name: "other backend holds rules",
			setup: func(k *fakeKernel, _ *Sentry) {
				k.legacy = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 192.0.2.1/32 -j DROP\nCOMMIT\n"
			},
			want: []string{"iptables backend split", "legacy", "-A INPUT -s 192.0.2.1/32 -j DROP"}},
		{name: "kernel refuses the ruleset",
			setup: func(k *fakeKernel, _ *Sentry) {
				k.failV4 = func(doc string) error {
					if kind(doc) == "rules" {
						return errors.New("iptables-restore: line 7 failed")
					}
					return nil
				}
			},
			want: []string{"apply rules", "line 7"}},
		{name: "forwarding cannot be enabled",
			setup: func(k *fakeKernel, _ *Sentry) { k.sysctls.failSet = map[string]bool{"net.ipv4.ip_forward": true} },
			want:  []string{"--sysctl net.ipv4.ip_forward=1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newFakeKernel(t)
			log := &syncBuffer{}
			s := &Sentry{Runner: k.runner, Starter: noStarter{t}, Sysctls: k.sysctls, Log: log, StateDir: t.TempDir()}
			cfg := mustConfig(t, tc.extra...)
			s.Load = func() (*config.Config, error) { return cfg, nil }
			if tc.setup != nil {
				tc.setup(k, s)
			}
			// A marker left by an earlier run must not survive a failed start.
			if err := writeMarker(s.StateDir, Marker{PID: os.Getpid()}); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- s.Serve(context.Background(), nil) }()
			var err error
			select {
			case err = <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Serve did not fail")
			}
			if err == nil {
				t.Fatal("Serve succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			events, _ := k.snapshot()
			if n := len(events); n < 2 || events[n-2] != "iptables-restore lockdown" || events[n-1] != "ip6tables-restore" {
				t.Errorf("events %q; want the IPv4 lockdown and the IPv6 drop-all last", events)
			}
			if i := index(events, "sysctl net.ipv4.ip_forward=1"); i >= 0 {
				t.Errorf("forwarding was turned on although the start failed: %q", events)
			}
			if _, err := os.Stat(markerPath(s.StateDir)); !os.IsNotExist(err) {
				t.Errorf("ready marker present after a failed start: %v", err)
			}
			if !strings.Contains(log.String(), "lockdown ruleset loaded") {
				t.Errorf("log does not report the lockdown:\n%s", log)
			}
		})
	}
}

func TestServeLockdownFailureIsCritical(t *testing.T) {
	k := newFakeKernel(t)
	k.failV4 = func(string) error { return errors.New("iptables-restore: no nf_tables") }
	log := &syncBuffer{}
	cfg := mustConfig(t)
	s := &Sentry{Runner: k.runner, Starter: noStarter{t}, Sysctls: k.sysctls, Log: log, StateDir: t.TempDir(),
		Load: func() (*config.Config, error) { return cfg, nil }}
	if err := s.Serve(context.Background(), nil); err == nil {
		t.Fatal("Serve succeeded without any rules")
	}
	if !strings.Contains(log.String(), "CRITICAL: could not load the lockdown ruleset") {
		t.Errorf("a failed lockdown is not reported as critical:\n%s", log)
	}
}

func TestServeReload(t *testing.T) {
	k := newFakeKernel(t)
	sv := serve(t, k, mustConfig(t))
	sv.waitReady(t)
	_, restores := k.snapshot()
	count := func() int { _, r := k.snapshot(); return len(r) }

	// Unchanged: nothing is reapplied.
	if out := sv.doReload(t); !strings.Contains(out, "configuration unchanged") {
		t.Errorf("reload of the same configuration logged %q", out)
	}
	if count() != len(restores) {
		t.Errorf("an unchanged configuration was reapplied")
	}

	// Invalid: refused, the rules stay, Serve goes on.
	_, _, cfgErr := config.Load(nil, append(append([]string{}, baseEnv...), "RBRR_BOTTLE_IP=10.99.0.2"))
	if cfgErr == nil {
		t.Fatal("test configuration with equal addresses is valid")
	}
	sv.cfgErr.Store(&cfgErr)
	if out := sv.doReload(t); !strings.Contains(out, "reload refused, the previous rules stay") || !strings.Contains(out, "RBRR_BOTTLE_IP") {
		t.Errorf("invalid reload logged %q", out)
	}
	if count() != len(restores) {
		t.Errorf("an invalid configuration changed the rules")
	}
	sv.cfgErr.Store(nil)

	// Another firewall backend is refused: it needs a restart.
	sv.cfg.Store(mustConfig(t, "RBRR_FIREWALL_BACKEND=nftables"))
	if out := sv.doReload(t); !strings.Contains(out, "reload refused") || !strings.Contains(out, "only with a restart") {
		t.Errorf("a backend change on reload logged %q, want it refused", out)
	}

	// A new CIDR: one atomic replacement carrying it.
	sv.cfg.Store(mustConfig(t, "RBRN_UPLINK_ALLOWED_CIDRS=203.0.113.0/24 198.51.100.0/25"))
	if out := sv.doReload(t); !strings.Contains(out, "reloaded: egress allowlist") {
		t.Errorf("reload logged %q", out)
	}
	if !strings.Contains(k.lastSets(), "add rbm-allow4-new 198.51.100.0/25\n") {
		t.Errorf("the reloaded sets lack the new CIDR")
	}

	// An entry port: the reload also loosens reverse-path filtering.
	sv.cfg.Store(mustConfig(t, "RBRN_ENTRY_ENABLED=true", "RBRN_ENTRY_PORT_WORKSTATION=8080", "RBRN_ENTRY_PORT_ENCLAVE=80"))
	sv.doReload(t)
	if v, _ := k.sysctls.Get("net.ipv4.conf.enc0.rp_filter"); v != "2" {
		t.Errorf("after a reload enabling the entry port rp_filter is %q, want 2", v)
	}

	// Interfaces are found again on every reload: an address moved to
	// another interface is refused while the old rules stay.
	k.mu.Lock()
	k.addrs = readTestdata(t, "addr-two.json")
	k.addrs = strings.Replace(k.addrs, `"local":"10.99.0.2"`, `"local":"10.99.0.7"`, 1)
	k.mu.Unlock()
	n := count()
	sv.cfg.Store(mustConfig(t))
	if out := sv.doReload(t); !strings.Contains(out, "reload refused") || !strings.Contains(out, "RBRR_SENTRY_IP 10.99.0.2") {
		t.Errorf("reload with the sentry address gone logged %q", out)
	}
	if count() != n {
		t.Errorf("a refused reload changed the rules")
	}
	select {
	case err := <-sv.done:
		t.Fatalf("Serve returned after reloads: %v", err)
	default:
	}
	if _, err := ReadMarker(sv.s.StateDir); err != nil {
		t.Errorf("not ready after refused reloads: %v", err)
	}
}
