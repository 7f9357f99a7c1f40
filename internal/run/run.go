package run

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/suggest"
)

// Host is what a run needs from outside: the runtime, the runners, the
// start `rbm start` does (preflight, then engine.Start), and the streams.
type Host struct {
	Runtime engine.Runtime
	Runner  runner.Runner
	Starter runner.Starter
	// Start builds the service of cfg and undoes it on failure, printing
	// its progress to Err.
	Start    func(ctx context.Context, cfg *config.Config) error
	In       *os.File
	Out, Err io.Writer
	TTY      bool // In is a terminal: the program gets one and Ctrl-C
}

// cleanupTimeout bounds reading the summary and removing the service.
const cleanupTimeout = 2 * time.Minute

// Run starts the service of cfg, runs argv (the image's default when
// empty) in its bottle and removes the service when the program ends,
// when rbm gets SIGTERM or SIGHUP, and on SIGINT without a terminal (with
// one, Ctrl-C is the program's). It returns the program's exit status,
// 128+n after signal n.
func Run(ctx context.Context, h Host, cfg *config.Config, s *Spec, argv []string) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var got atomic.Value // the signal that ended the run
	var running atomic.Bool
	sigs := make(chan os.Signal, 4)
	// Notify, not Ignore: a program started by exec gets default handlers.
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT)
	defer signal.Stop(sigs)
	go func() {
		for sig := range sigs {
			if sig == syscall.SIGINT && h.TTY && running.Load() {
				continue // the terminal gave it to the program too
			}
			got.CompareAndSwap(nil, sig)
			cancel()
		}
	}()
	if err := h.Start(ctx, cfg); err != nil {
		return 1, err // Start removed what it had created
	}
	code, err := runIn(ctx, h, cfg, s, argv, &running)
	if sig, ok := got.Load().(syscall.Signal); ok {
		fmt.Fprintf(h.Err, "rbm run: %v: ending the run\n", sig)
		code, err = 128+int(sig), nil
	}
	finish(h, cfg, s, got.Load() == nil)
	return code, err
}

func runIn(ctx context.Context, h Host, cfg *config.Config, s *Spec, argv []string, running *atomic.Bool) (int, error) {
	if len(argv) == 0 {
		def, err := DefaultCommand(ctx, h.Runtime, h.Runner, cfg.BottleImage)
		if err != nil {
			return 1, err
		}
		argv = def
	}
	c := ExecCmd(h.Runtime, cfg.Moniker, h.TTY, s, argv)
	c.In = h.In
	running.Store(true)
	proc, err := h.Starter.Start(ctx, c, h.Out, h.Err)
	if err != nil {
		return 1, err
	}
	err = proc.Wait()
	running.Store(false)
	var ee interface{ ExitCode() int }
	if errors.As(err, &ee) && ee.ExitCode() >= 0 {
		return ee.ExitCode(), nil
	}
	if err != nil {
		return 1, fmt.Errorf("run in the bottle: %w", err)
	}
	return 0, nil
}

// finish prints the summary (unless a signal ended the run) and removes
// the service, or with --keep names it.
func finish(h Host, cfg *config.Config, s *Spec, summary bool) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if summary {
		if err := printSummary(ctx, h, cfg); err != nil {
			fmt.Fprintf(h.Err, "rbm run: no summary of refusals: %v\n", err)
		}
	}
	if s.Keep {
		fmt.Fprintf(h.Err, "rbm run: kept the bottle service %s: rbm shell --moniker %s enters it, rbm stop --moniker %s removes it\n",
			cfg.Moniker, cfg.Moniker, cfg.Moniker)
		return
	}
	var out bytes.Buffer
	if err := engine.Stop(ctx, h.Runtime, h.Runner, cfg.Moniker, &out); err != nil {
		fmt.Fprintf(h.Err, "%srbm run: removing %s failed (rbm stop --moniker %s): %v\n", out.String(), cfg.Moniker, cfg.Moniker, err)
	}
}

func printSummary(ctx context.Context, h Host, cfg *config.Config) error {
	out, err := h.Runner.Run(ctx, engine.EventsCmd(h.Runtime, cfg.Moniker, false, 0, nil))
	if err != nil {
		return err
	}
	var evs []events.Event
	if err := events.Decode(bytes.NewReader(out), func(e events.Event) error { evs = append(evs, e); return nil }); err != nil {
		return err
	}
	Summary(h.Err, suggest.Build(evs), suggest.Current{Domains: cfg.AllowedDomains, Match: cfg.DNSMatch, CIDRs: cfg.AllowedCIDRs})
	return nil
}
