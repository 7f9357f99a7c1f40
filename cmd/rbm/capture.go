package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/recipe-bottle/rbm/internal/capture"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/lab"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/sentry"
	"github.com/spf13/cobra"
)

// Capture bounds: a capture always ends by itself.
const (
	maxCount   = 100000
	maxSeconds = 3600
)

type captureOpts struct {
	count   int
	seconds int
}

func (o *captureOpts) register(cmd *cobra.Command) {
	cmd.Flags().IntVar(&o.count, "count", 100, fmt.Sprintf("stop after this many packets (1-%d)", maxCount))
	cmd.Flags().IntVar(&o.seconds, "seconds", 10, fmt.Sprintf("stop after this many seconds (1-%d)", maxSeconds))
}

func (o *captureOpts) check() error {
	if o.count < 1 || o.count > maxCount {
		return &exitError{code: 2, err: fmt.Errorf("--count %d: expected 1 to %d packets", o.count, maxCount)}
	}
	if o.seconds < 1 || o.seconds > maxSeconds {
		return &exitError{code: 2, err: fmt.Errorf("--seconds %d: expected 1 to %d", o.seconds, maxSeconds)}
	}
	return nil
}

func (o *captureOpts) args() []string {
	return []string{"--count", fmt.Sprint(o.count), "--seconds", fmt.Sprint(o.seconds)}
}

func newCaptureCmd() *cobra.Command {
	var src sourceOpts
	var o captureOpts
	var file string
	cmd := &cobra.Command{
		Use:   "capture (--lab | --moniker M) [-w FILE] [--count N] [--seconds S]",
		Short: "Capture the bottle's packets on the sentry's enclave side (pcap, or a summary)",
		Long: `Captures, inside the sentry, every packet on its enclave interface (what the
bottle sends and receives, before any filtering) until --count packets or
--seconds have passed, whichever comes first. With -w the capture is written
as pcap for Wireshark or tcpdump -r; without, one line per packet is printed.
Nothing runs in the bottle.`,
		Example: `  rbm capture --moniker notebook --seconds 30 -w bottle.pcap
  sudo rbm capture --lab --count 20`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := src.check(); err != nil {
				return err
			}
			if err := o.check(); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			c, err := src.captureCmd(o)
			if err != nil {
				return err
			}
			pr, pw := io.Pipe()
			proc, err := runner.Exec{}.Start(ctx, c, pw, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			waitErr := make(chan error, 1)
			go func() { err := proc.Wait(); pw.Close(); waitErr <- err }()
			if file != "" {
				err = writeFile(file, pr)
			} else {
				out := cmd.OutOrStdout() // each line as its packet comes
				err = capture.Read(pr, func(f capture.Frame) error { _, err := fmt.Fprintln(out, f.Summary()); return err })
			}
			pr.Close()
			if werr := <-waitErr; werr != nil && ctx.Err() == nil {
				return fmt.Errorf("capture in the sentry: %w", werr)
			}
			return err
		},
	}
	src.register(cmd)
	o.register(cmd)
	cmd.Flags().StringVarP(&file, "write", "w", "", "write pcap to this file instead of printing a summary")
	return cmd
}

// captureCmd runs rbm sentry capture in the sentry's namespace.
func (s *sourceOpts) captureCmd(o captureOpts) (runner.Cmd, error) {
	if s.lab {
		info, err := s.labInfo()
		if err != nil {
			return runner.Cmd{}, err
		}
		args := append([]string{"netns", "exec", info.Namespaces[lab.Sentry], info.RBM, "sentry", "capture", "--sentry-ip", info.Policy.SentryIP.String()}, o.args()...)
		return runner.Cmd{Name: "ip", Args: args}, nil
	}
	rt, err := serviceRuntime(context.Background(), s.moniker)
	if err != nil {
		return runner.Cmd{}, err
	}
	return engine.CaptureCmd(rt, s.moniker, o.args()), nil
}

func writeFile(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	return errors.Join(err, f.Close())
}

func newSentryCaptureCmd() *cobra.Command {
	var o captureOpts
	var sentryIP string
	cmd := &cobra.Command{
		Use:   "capture",
		Short: "Write a bounded pcap of the enclave interface to standard output (what rbm capture runs)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.check(); err != nil {
				return err
			}
			if sentryIP == "" {
				sentryIP = os.Getenv("RBRR_SENTRY_IP")
			}
			ip, err := netip.ParseAddr(sentryIP)
			if err != nil || !ip.Is4() {
				return &exitError{code: 2, err: fmt.Errorf("--sentry-ip (or RBRR_SENTRY_IP) %q: expected the sentry's enclave IPv4 address", sentryIP)}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGPIPE)
			defer stop()
			ifs, err := sentry.FindInterfaces(ctx, runner.Exec{}, ip)
			if err != nil {
				return err
			}
			// Unbuffered: each packet reaches rbm capture as it is seen.
			w, err := capture.NewWriter(cmd.OutOrStdout())
			if err != nil {
				return err
			}
			_, err = capture.Live(ctx, ifs.Enclave, capture.Limits{Count: o.count, Duration: time.Duration(o.seconds) * time.Second}, w)
			return err
		},
	}
	o.register(cmd)
	cmd.Flags().StringVar(&sentryIP, "sentry-ip", "", "the enclave address (default: RBRR_SENTRY_IP)")
	return cmd
}
