package sentry

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// onceStarter starts the first program for real and refuses every later
// start, as when the dnsmasq binary vanished from under a running sentry.
type onceStarter struct {
	mu    sync.Mutex
	first runner.Proc
	calls int
}

func (o *onceStarter) Start(ctx context.Context, c runner.Cmd, stdout, stderr io.Writer) (runner.Proc, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls++
	if o.calls > 1 {
		return nil, errors.New("exec: dnsmasq: no longer there")
	}
	p, err := runner.Exec{}.Start(ctx, c, stdout, stderr)
	o.first = p
	return p, err
}

// envChild names the test a re-executed test binary runs as the child.
const envChild = "RBMT_SENTRY_CHILD"

// inSentryNamespace returns true in the child: the caller goes on with the
// test body as root inside the sentry namespace of a fresh lab. In the
// parent it builds the lab, runs the calling (top-level) test there by
// re-executing this test binary, fails t if the child fails, and returns
// false: the caller returns at once.
func inSentryNamespace(t *testing.T) bool {
	t.Helper()
	if os.Getenv(envChild) == t.Name() {
		return true
	}
	l := newSentryLab(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", l.sentry, self,
		"-test.run=^"+regexp.QuoteMeta(t.Name())+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), envChild+"="+t.Name())
	out, err := cmd.CombinedOutput()
	t.Logf("child in %s:\n%s", l.sentry, out)
	if err != nil {
		t.Fatalf("child test in %s failed: %v", l.sentry, err)
	}
	return false
}

// started returns the one program started for real.
func (o *onceStarter) started() runner.Proc {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.first
}

// TestServeEndsWhenDnsmasqCannotRestart runs Serve in-process inside a
// lab's sentry namespace with the real iptables and dnsmasq. When dnsmasq dies
// and cannot be started again, the supervisor gives up: Serve must lock
// down and return the reason, not hang (it used to wait forever on the
// supervisor's already-consumed result).
func TestServeEndsWhenDnsmasqCannotRestart(t *testing.T) {
	if !inSentryNamespace(t) {
		return
	}
	starter := &onceStarter{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, log, done := serveReady(t, ctx, starter)
	proc := starter.started()
	dnsmasq := proc.Pid()
	if err := proc.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}

	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "dnsmasq supervision ended") {
			t.Errorf("Serve returned %v; want the supervisor's failure", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("Serve still runs 10s after dnsmasq died for good; log:\n%s", log)
	}
	if syscall.Kill(dnsmasq, 0) == nil {
		t.Errorf("dnsmasq %d still runs", dnsmasq)
	}
	if !strings.Contains(log.String(), "lockdown ruleset loaded") {
		t.Errorf("no lockdown after the resolver was lost:\n%s", log)
	}
	save, err := runner.Exec{}.Run(ctx, runner.Cmd{Name: "iptables-save"})
	if err != nil || !strings.Contains(string(save), `"rbm:lock-fwd-drop"`) || strings.Contains(string(save), `"rbm:fwd-drop"`) {
		t.Errorf("ruleset after the resolver was lost is not the lockdown (%v):\n%s", err, save)
	}
	if _, err := os.Stat(markerPath(s.StateDir)); !os.IsNotExist(err) {
		t.Errorf("ready marker after lockdown: %v", err)
	}
}

// serveReady runs Serve in-process in the sentry namespace of a lab (the
// caller is the child of inSentryNamespace: enc0 is the enclave, up0 the
// uplink) with the real iptables and dnsmasq, started through starter, and
// returns once the sentry is ready; extra settings layer over a DNS
// allowlist of allowed.test.
func serveReady(t *testing.T, ctx context.Context, starter runner.Starter, extra ...string) (*Sentry, *syncBuffer, <-chan error) {
	t.Helper()
	cfg, _, err := config.Load(nil, append([]string{
		"RBRR_POD_SUBNET=" + enclaveNet, "RBRR_SENTRY_IP=" + sentryIP, "RBRR_BOTTLE_IP=" + bottleIP,
		"RBRR_DNS_SERVER=" + wanIP, "RBRN_UPLINK_DNS_ENABLED=true", "RBRN_UPLINK_ALLOWED_DOMAINS=allowed.test",
	}, extra...))
	if err != nil {
		t.Fatal(err)
	}
	log := &syncBuffer{}
	s := &Sentry{Runner: runner.Exec{}, Starter: starter, Sysctls: runner.ProcSys{}, Log: log, StateDir: t.TempDir(),
		Load: func() (*config.Config, error) { return cfg, nil }}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, nil) }()
	for deadline := time.Now().Add(startTimeout); CheckReady(ctx, runner.Exec{}, s.StateDir) != nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not ready after %s; log:\n%s", startTimeout, log)
		}
	}
	return s, log, done
}
