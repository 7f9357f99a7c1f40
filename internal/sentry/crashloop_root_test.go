package sentry

import (
	"context"
	"io"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// crashStarter starts the first dnsmasq as asked and every later one with
// a configuration file that does not exist: the real dnsmasq then exits at
// once, every time, a crash loop.
type crashStarter struct {
	mu     sync.Mutex
	first  runner.Proc
	starts int
}

func (c *crashStarter) Start(ctx context.Context, cmd runner.Cmd, stdout, stderr io.Writer) (runner.Proc, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.starts++
	if c.starts > 1 {
		cmd.Args = []string{"--keep-in-foreground", "--conf-file=/nonexistent/rbm-crash-loop.conf"}
	}
	p, err := runner.Exec{}.Start(ctx, cmd, stdout, stderr)
	if c.starts == 1 {
		c.first = p
	}
	return p, err
}

func (c *crashStarter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.starts
}

// forwardRules is the FORWARD chains' rules without counters.
var counterRE = regexp.MustCompile(`\[\d+:\d+\] `)

func forwardRules(t *testing.T) string {
	out, err := runner.Exec{}.Run(context.Background(), runner.Cmd{Name: "iptables-save", Args: []string{"-t", "filter"}})
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "-A") || strings.HasPrefix(l, ":") {
			keep = append(keep, counterRE.ReplaceAllString(l, ""))
		}
	}
	return strings.Join(keep, "\n")
}

// TestDnsmasqCrashLoopIsUnhealthy: with dnsmasq crash-looping (the real
// dnsmasq, exiting at once on every restart) the sentry reports itself not
// ready, which is what the container's healthcheck asks, and nothing
// opens: the filter rules are the ones it was ready with, or the lockdown.
func TestDnsmasqCrashLoopIsUnhealthy(t *testing.T) {
	if !inSentryNamespace(t) {
		return
	}
	starter := &crashStarter{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, log, done := serveReady(t, ctx, starter, "RBRN_UPLINK_ACCESS_ENABLED=true", "RBRN_UPLINK_ALLOWED_CIDRS="+allowedHost+"/32")
	ready := forwardRules(t)
	if err := starter.first.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Sample for three seconds: never ready, never more open.
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(250 * time.Millisecond) {
		if err := CheckReady(ctx, runner.Exec{}, s.StateDir); err == nil {
			t.Fatalf("ready while dnsmasq crash-loops (%d starts); log:\n%s", starter.count(), log)
		}
		if now := forwardRules(t); now != ready && !strings.Contains(now, `"rbm:lock-fwd-drop"`) {
			t.Fatalf("the filter changed to something other than the lockdown while dnsmasq crash-loops:\n%s", now)
		}
	}
	if starter.count() < 3 {
		t.Errorf("%d dnsmasq starts in 3 s: not a crash loop; log:\n%s", starter.count(), log)
	}
	t.Logf("%d dnsmasq starts; log:\n%s", starter.count(), log)
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not stop")
	}
}
