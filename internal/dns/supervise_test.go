package dns

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// fakeRun is what one fake dnsmasq run does: print output, then exit with
// exitErr at once, or (if stay) run until signalled.
type fakeRun struct {
	output  string
	exitErr error
	stay    bool
}

// fakeStarter plays the runs in order; once they are used up it fails.
type fakeStarter struct {
	mu    sync.Mutex
	runs  []fakeRun
	cmds  []string
	procs []*fakeProc
}

func (f *fakeStarter) Start(_ context.Context, c runner.Cmd, stdout, _ io.Writer) (runner.Proc, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.cmds) == len(f.runs) {
		return nil, errors.New("no more scripted runs")
	}
	r := f.runs[len(f.cmds)]
	f.cmds = append(f.cmds, c.String())
	_, _ = io.WriteString(stdout, r.output) // before Start returns: the supervisor then closes its end
	p := &fakeProc{pid: len(f.cmds), done: make(chan error, 1), signals: make(chan os.Signal, 4)}
	if !r.stay {
		p.done <- r.exitErr
	}
	f.procs = append(f.procs, p)
	return p, nil
}

type fakeProc struct {
	pid     int
	done    chan error
	signals chan os.Signal

	mu   sync.Mutex
	sent []os.Signal // every signal received, for assertions
}

func (p *fakeProc) Pid() int { return p.pid }
func (p *fakeProc) Wait() error {
	for {
		select {
		case err := <-p.done:
			return err
		case sig := <-p.signals:
			if sig == syscall.SIGTERM {
				return errors.New("signal: terminated")
			}
		}
	}
}
func (p *fakeProc) Signal(sig os.Signal) error {
	p.mu.Lock()
	p.sent = append(p.sent, sig)
	p.mu.Unlock()
	p.signals <- sig
	return nil
}

// safeBuffer is a bytes.Buffer for concurrent writers.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const bindFail = "\ndnsmasq: failed to create listening socket for 192.0.2.2: Address already in use\n"

func TestSupervisorRestartsWithBackoff(t *testing.T) {
	exit2 := errors.New("exit status 2")
	fs := &fakeStarter{runs: []fakeRun{
		{output: bindFail, exitErr: exit2},
		{output: bindFail, exitErr: exit2},
		{output: "dnsmasq: exiting on receipt of SIGTERM\n"},
		{output: bindFail, exitErr: exit2},
		{output: "dnsmasq[5]: started, version 2.90\n", stay: true},
	}}
	check := &runner.Fake{}
	var log safeBuffer
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	s := &Supervisor{
		Starter: fs, Runner: check, ConfPath: "/run/rbm/dnsmasq.conf", Log: &log,
		MinBackoff: time.Millisecond, MaxBackoff: time.Second, // no run stays up 1s: no reset
		OnStart: func(pid int) {
			if pid == 5 {
				cancel()
			}
		},
	}
	if err := s.Run(ctx); err != nil {
		t.Fatalf("Run = %v, want nil after the context ended", err)
	}

	if got := check.Commands(); len(got) != 1 || got[0] != "dnsmasq --test --conf-file=/run/rbm/dnsmasq.conf" {
		t.Errorf("validation ran %q", got)
	}
	for i, c := range fs.cmds {
		if c != "dnsmasq --keep-in-foreground --conf-file=/run/rbm/dnsmasq.conf" {
			t.Errorf("start %d ran %q", i+1, c)
		}
	}
	if len(fs.cmds) != 5 {
		t.Fatalf("%d starts, want 5", len(fs.cmds))
	}
	// SIGTERM to stop it, then SIGKILL to its group for any TCP workers left.
	if sent := fs.procs[4].sent; len(sent) != 2 || sent[0] != syscall.SIGTERM || sent[1] != syscall.SIGKILL {
		t.Errorf("last run got signals %v, want SIGTERM, then SIGKILL for the group", sent)
	}
	assertLogLines(t, log.String(), []string{
		"dnsmasq: dnsmasq: failed to create listening socket for 192.0.2.2: Address already in use",
		"rbm: ERROR: dnsmasq cannot bind its listen address (dnsmasq: failed to create listening socket for 192.0.2.2: Address already in use); another DNS server may hold port 53, or the address is on no interface; retrying in 1ms",
		"dnsmasq: dnsmasq: failed to create listening socket for 192.0.2.2: Address already in use",
		"rbm: ERROR: dnsmasq cannot bind its listen address (dnsmasq: failed to create listening socket for 192.0.2.2: Address already in use); another DNS server may hold port 53, or the address is on no interface; retrying in 2ms",
		"dnsmasq: dnsmasq: exiting on receipt of SIGTERM",
		"rbm: dnsmasq exited after *(exit status 0); restarting in 4ms",
		"dnsmasq: dnsmasq: failed to create listening socket for 192.0.2.2: Address already in use",
		"rbm: ERROR: dnsmasq cannot bind its listen address (dnsmasq: failed to create listening socket for 192.0.2.2: Address already in use); another DNS server may hold port 53, or the address is on no interface; retrying in 8ms",
		"dnsmasq: dnsmasq[5]: started, version 2.90",
	})
}

// assertLogLines compares log line by line; a "*" in want matches any text.
func assertLogLines(t *testing.T, log string, want []string) {
	t.Helper()
	got := strings.Split(strings.TrimSuffix(log, "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("log has %d lines, want %d:\n%s", len(got), len(want), log)
	}
	for i := range want {
		pre, post, wild := strings.Cut(want[i], "*")
		ok := got[i] == want[i]
		if wild {
			ok = strings.HasPrefix(got[i], pre) && strings.HasSuffix(got[i], post)
		}
		if !ok {
			t.Errorf("log line %d:\n got %q\nwant %q", i+1, got[i], want[i])
		}
	}
}

func TestSupervisorStopsOnBadConfig(t *testing.T) {
	fs := &fakeStarter{}
	check := &runner.Fake{Respond: func(c runner.Cmd) ([]byte, error) {
		return nil, &runner.ExitError{Cmd: c, Stderr: "dnsmasq: bad option at line 3 of x.conf", Err: errors.New("exit status 1")}
	}}
	s := &Supervisor{Starter: fs, Runner: check, ConfPath: "x.conf"}
	err := s.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "bad option at line 3") {
		t.Fatalf("Run = %v, want dnsmasq's message", err)
	}
	if len(fs.cmds) != 0 {
		t.Errorf("dnsmasq was started %d times with a rejected config", len(fs.cmds))
	}
}

func TestSupervisorFailsWhenDnsmasqCannotStart(t *testing.T) {
	s := &Supervisor{Starter: &fakeStarter{}, Runner: &runner.Fake{}, ConfPath: "x.conf"}
	err := s.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "start dnsmasq") {
		t.Fatalf("Run = %v, want a start error", err)
	}
}
