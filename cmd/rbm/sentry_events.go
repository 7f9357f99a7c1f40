package main

import (
	"io"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/spf13/cobra"
)

func newSentryEventsCmd(stateDir *string) *cobra.Command {
	var follow, stdinHangup bool
	var since time.Duration
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Print the running sentry's event history as JSON lines (what rbm observe reads)",
		Long: `Reads the history of the sentry running with this state directory over
its unix socket and prints it as JSON lines, one event each; with --follow
it stays and prints new events as they happen, until interrupted.`,
		Example: "  rbm sentry events --since 10m\n  rbm sentry events --follow",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			req := events.Request{Follow: follow}
			if since > 0 {
				req.Since = time.Now().Add(-since)
			}
			r, err := events.Dial(ctx, filepath.Join(*stateDir, events.SocketName), req)
			if err != nil {
				return err
			}
			defer r.Close()
			if stdinHangup {
				// podman exec closes our stdin when its caller goes away:
				// without this, a follower would outlive rbm observe.
				go func() { io.Copy(io.Discard, cmd.InOrStdin()); stop() }()
			}
			_, err = io.Copy(cmd.OutOrStdout(), r)
			if ctx.Err() != nil {
				return nil // interrupted: a clean end
			}
			return err
		},
	}
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "stay and print new events")
	cmd.Flags().DurationVar(&since, "since", 0, "only events of this last while (e.g. 10m); 0: all kept")
	cmd.Flags().BoolVar(&stdinHangup, "stdin-hangup", false, "end when the standard input closes (how rbm observe ends it through podman exec)")
	cmd.Flags().MarkHidden("stdin-hangup")
	return cmd
}
