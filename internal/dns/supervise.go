package dns

import (
	"context"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// stopTimeout is how long dnsmasq gets to exit after SIGTERM before SIGKILL.
const stopTimeout = 5 * time.Second

// Supervisor keeps one dnsmasq running on ConfPath until its context ends.
type Supervisor struct {
	Starter  runner.Starter // starts dnsmasq
	Runner   runner.Runner  // runs dnsmasq --test before the first start
	ConfPath string
	Log      io.Writer // dnsmasq's output, line by line, and restart notices; nil discards

	// Restart delays: doubled after each quick exit, reset after a run
	// that stayed up MaxBackoff. Zero means 200ms and 10s.
	MinBackoff, MaxBackoff time.Duration

	OnStart func(pid int) // called after each start; may be nil
	// Lines sees each line dnsmasq prints, without the "dnsmasq: " prefix;
	// it must not block (dnsmasq's output waits for it). May be nil.
	Lines func(string)
}

// Run checks the configuration, then runs dnsmasq and restarts it whenever
// it exits, until ctx ends; then it stops dnsmasq (SIGTERM, then SIGKILL
// after 5s) and returns nil. It returns an error at once when dnsmasq
// rejects the configuration or cannot be started at all. An exit because
// the listen address cannot be bound is retried too, and logged loudly
// each time: the address may yet appear, and rbm must not hide that it has not.
func (s *Supervisor) Run(ctx context.Context) error {
	if err := Check(ctx, s.Runner, s.ConfPath); err != nil {
		return err
	}
	out := runner.Serialised(s.Log)
	b := newBackoff(s.MinBackoff, s.MaxBackoff)
	for {
		ex, err := s.runOnce(ctx, out)
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		d := b.delay(ex.uptime)
		reportExit(out, ex, d)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(d):
		}
	}
}

// exit describes how one run of dnsmasq ended.
type exit struct {
	uptime      time.Duration
	err         error  // from Wait; nil for exit status 0
	bindFailure string // dnsmasq's line, when it could not bind
}

// runOnce starts dnsmasq and waits until it exits or ctx ends. Its output
// goes through a pipe that rbm owns rather than through the Starter's
// copying: dnsmasq forks a child per TCP connection, and such a child keeps
// the output open after dnsmasq itself died, which must not delay the restart.
func (s *Supervisor) runOnce(ctx context.Context, out io.Writer) (exit, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return exit{}, fmt.Errorf("dnsmasq output pipe: %w", err)
	}
	log := &lineLog{out: out, each: s.Lines}
	copied := make(chan struct{})
	go func() { defer close(copied); defer pr.Close(); log.copyFrom(pr) }()

	// The supervisor alone decides when dnsmasq stops: no cancellation
	// is handed to the Starter.
	proc, err := s.Starter.Start(context.WithoutCancel(ctx), startCmd(s.ConfPath), pw, pw)
	pw.Close() // dnsmasq holds its own copy now
	if err != nil {
		<-copied
		return exit{}, fmt.Errorf("start dnsmasq: %w", err)
	}
	if s.OnStart != nil {
		s.OnStart(proc.Pid())
	}
	started := time.Now()
	werr := waitOrStop(ctx, proc)
	uptime := time.Since(started)
	// dnsmasq is gone; TCP workers it forked may not be, and they hold
	// port 53 and the output pipe. End them before anything restarts.
	_ = proc.Signal(syscall.SIGKILL)
	drain(copied)
	return exit{uptime: uptime, err: werr, bindFailure: log.bindFailureLine()}, nil
}

// waitOrStop waits for proc to exit; if ctx ends first it sends SIGTERM,
// then SIGKILL after stopTimeout, and still waits.
func waitOrStop(ctx context.Context, proc runner.Proc) error {
	done := make(chan error, 1)
	go func() { done <- proc.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	_ = proc.Signal(syscall.SIGTERM) // fails only if it already exited
	select {
	case err := <-done:
		return err
	case <-time.After(stopTimeout):
	}
	_ = proc.Signal(syscall.SIGKILL)
	return <-done
}

// drain gives the output copier a moment to log dnsmasq's last lines
// (usually its reason to exit), without waiting for TCP children.
func drain(copied <-chan struct{}) {
	select {
	case <-copied:
	case <-time.After(250 * time.Millisecond):
	}
}

// reportExit tells why dnsmasq is being restarted; a bind failure gets a
// loud line of its own because the bottle has no DNS until it is fixed.
func reportExit(w io.Writer, ex exit, delay time.Duration) {
	if ex.bindFailure != "" {
		fmt.Fprintf(w, "rbm: ERROR: dnsmasq cannot bind its listen address (%s); "+
			"another DNS server may hold port 53, or the address is on no interface; retrying in %s\n",
			ex.bindFailure, delay)
		return
	}
	status := "exit status 0"
	if ex.err != nil {
		status = ex.err.Error()
	}
	fmt.Fprintf(w, "rbm: dnsmasq exited after %s (%s); restarting in %s\n",
		ex.uptime.Round(time.Millisecond), status, delay)
}
