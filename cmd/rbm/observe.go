package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/lab"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/safetext"
	"github.com/spf13/cobra"
)

// sourceOpts say whose sentry a command works on: the lab's or a Podman
// service's.
type sourceOpts struct {
	lab     bool
	prefix  string
	moniker string
}

func (o *sourceOpts) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&o.lab, "lab", false, "the running lab (rbm lab up)")
	cmd.Flags().StringVar(&o.prefix, "prefix", defaultLabPrefix, "the lab's prefix")
	cmd.Flags().StringVar(&o.moniker, "moniker", "", "the bottle service with this moniker")
}

func (o *sourceOpts) check() error {
	if o.lab == (o.moniker != "") {
		return &exitError{code: 2, err: errors.New("say whose sentry: --lab or --moniker M")}
	}
	return nil
}

// labInfo checks root and the prefix and reads the running lab's description.
func (o *sourceOpts) labInfo() (*lab.Info, error) {
	if _, err := newLab(o.prefix); err != nil {
		return nil, err
	}
	return lab.Load(o.prefix)
}

// open streams the sentry's events since since (0: all kept), following
// new ones when follow. Closing the stream ends it.
func (o *sourceOpts) open(ctx context.Context, follow bool, since time.Duration) (io.ReadCloser, error) {
	if o.lab {
		info, err := o.labInfo()
		if err != nil {
			return nil, err
		}
		req := events.Request{Follow: follow}
		if since > 0 {
			req.Since = time.Now().Add(-since)
		} else if follow {
			req.Since = time.Now()
		}
		return events.Dial(ctx, filepath.Join(info.SentryDir, events.SocketName), req)
	}
	return serviceEvents(ctx, o.moniker, follow, since)
}

// serviceEvents streams the events of the service's sentry
// (engine.OpenEvents), its runtime found by the moniker.
func serviceEvents(ctx context.Context, moniker string, follow bool, since time.Duration) (io.ReadCloser, error) {
	rt, err := serviceRuntime(ctx, moniker)
	if err != nil {
		return nil, err
	}
	return engine.OpenEvents(ctx, rt, runner.Exec{}, moniker, follow, since, os.Stderr)
}

func newObserveCmd() *cobra.Command {
	var o sourceOpts
	var asJSON bool
	var since time.Duration
	cmd := &cobra.Command{
		Use:   "observe (--lab | --moniker M)",
		Short: "Watch what the bottle tries, live: DNS queries, denied connections, learned addresses",
		Long: `Prints the sentry's events as they happen, one line each: the time, what
happened, the verdict, and beside every address the name that last resolved
to it. Denials carry the id of the rule that refused them ("rbm:fwd-drop":
outside the allowed CIDRs and learned addresses). --since first shows that
much of the sentry's history. Ctrl-C ends it.

The kernel reports at most 50 denials per second per rule (burst 100);
the rest are counted and shown as "quiet" lines, so a flooding bottle cannot
hide other events or slow the sentry.

The bottle chooses the names shown, so every field is escaped: each byte
outside printable ASCII (control bytes, DEL, C1 controls) appears as \DDD,
the byte in decimal as dig writes it, and a space in a name as \032.
--json prints the same escaped text as ASCII-only JSON.`,
		Example: `  sudo rbm observe --lab
  rbm observe --moniker notebook --since 10m
  rbm observe --moniker notebook --json | jq 'select(.kind=="deny")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.check(); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			r, err := o.open(ctx, true, since)
			if err != nil {
				return err
			}
			defer r.Close()
			fmt.Fprintln(cmd.ErrOrStderr(), "rbm observe: watching the sentry's events (Ctrl-C ends)")
			out := cmd.OutOrStdout()
			err = events.Decode(r, func(e events.Event) error {
				if asJSON {
					return writeEventJSON(out, e)
				}
				_, err := fmt.Fprintln(out, e.Text())
				return err
			})
			if ctx.Err() != nil {
				return nil
			}
			if err == nil {
				return errors.New("the sentry's event stream ended (did the sentry stop?)")
			}
			return err
		},
	}
	o.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print each event as a JSON line")
	cmd.Flags().DurationVar(&since, "since", 0, "first show the events of this last while (e.g. 10m)")
	return cmd
}

// writeEventJSON prints e escaped like its text (Event.Escaped), so that
// jq -r shows it safely too, and as ASCII-only JSON.
func writeEventJSON(w io.Writer, e events.Event) error {
	b, err := json.Marshal(e.Escaped())
	if err != nil {
		return err
	}
	_, err = w.Write(append(safetext.JSON(b), '\n'))
	return err
}

func writeJSONLine(w io.Writer, v any) error {
	return json.NewEncoder(w).Encode(v)
}
