package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	imagepkg "github.com/recipe-bottle/rbm/internal/image"
	"github.com/recipe-bottle/rbm/internal/run"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/spf13/cobra"
)

func newRunCmd() *cobra.Command {
	var f run.Flags
	var files configFlags
	var healthTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "run [flags] IMAGE [-- COMMAND ARGS...]",
		Short: "Start a bottle service for one command, run it in the bottle, remove the service when it ends",
		Long: `Starts a bottle service with a new moniker (run-XXXXXXXX) as rbm start does
(same preflight, same configuration: --regime and --nameplate files, then
RBRR_*/RBRN_* from the environment, then these flags), runs COMMAND (or the
image's own) in the bottle as its user, with a terminal when standard input
is one and plain pipes otherwise, and exits with COMMAND's status.

A nameplate's RBRN_BOTTLE_* variables apply as in rbm start, the flags
over them: -v and -e add to RBRN_BOTTLE_VOLUMES and RBRN_BOTTLE_ENV (a -v
for the same bottle path, or an -e for the same name, replaces it), -w
replaces RBRN_BOTTLE_WORKDIR, a COMMAND replaces RBRN_BOTTLE_COMMAND.

The whole service is removed when COMMAND ends, when rbm gets SIGTERM or
SIGHUP (the terminal went away), and on Ctrl-C without a terminal; with a
terminal Ctrl-C goes to the program in the bottle. --keep leaves it
running and prints its moniker. At the end rbm prints what the sentry
refused and the --allow that would open it (rbm suggest's data).

The bottle runs "sleep infinity" as its own command, so the image needs a
sleep that takes it (coreutils, busybox). Start's progress goes to
standard error; standard output is COMMAND's. A missing local sentry image
(RBRR_SENTRY_IMAGE, localhost/...) is built first, as rbm image build
would, with one line of progress.

Without --allow, --allow-cidr or --global (and no nameplate opening it)
the bottle has no network. --allow sets RBRN_UPLINK_ALLOWED_DOMAINS
(replacing the nameplate's) and turns DNS and egress on.`,
		Example: `  rbm run --allow @github,pypi.org IMAGE -- git clone https://github.com/org/repo
  echo hello | rbm run IMAGE -- sh -c 'cat; exit 3'; echo $?
  rbm run -e ANTHROPIC_API_KEY -v "$PWD":/work -w /work --allow @anthropic IMAGE -- claude
  rbm run -p 8888:8888 --allow @pypi IMAGE -- jupyter lab --ip 0.0.0.0
  rbm run --regime regime.env --nameplate notebook.env --keep IMAGE`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if n := cmd.ArgsLenAtDash(); n > 1 || (n < 0 && len(args) > 1) {
				return &exitError{code: 2, err: errors.New("one IMAGE, then -- and the command: rbm run IMAGE -- COMMAND ARGS")}
			}
			spec, err := f.Check(args[0])
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			for _, w := range spec.EnvWarnings(os.LookupEnv) {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
			}
			return runOnce(cmd, &files, spec, args[1:], healthTimeout)
		},
	}
	files.register(cmd)
	fl := cmd.Flags()
	fl.StringSliceVar(&f.Allow, "allow", nil, "names that resolve: NAME, *.DOMAIN or @PRESET, comma-separated or repeated (RBRN_UPLINK_ALLOWED_DOMAINS)")
	fl.StringSliceVar(&f.AllowCIDR, "allow-cidr", nil, "IPv4 CIDRs the bottle may reach (RBRN_UPLINK_ALLOWED_CIDRS)")
	fl.BoolVar(&f.Global, "global", false, "any destination and every name (no filtering beyond link-local)")
	fl.StringArrayVarP(&f.Env, "env", "e", nil, "NAME=VALUE, or NAME to pass the host's value (the runtime reads it; it never appears on a command line)")
	fl.StringArrayVarP(&f.Volumes, "volume", "v", nil, "HOST:BOTTLE[:ro]: mount a host path (it must exist) into the bottle")
	fl.StringVarP(&f.Workdir, "workdir", "w", "", "directory in the bottle COMMAND runs in")
	fl.StringVar(&f.Runtime, "runtime", "", "podman or docker (RBRR_RUNTIME)")
	fl.StringVar(&f.Deny, "deny", "", "drop or reject: what a refused connection meets (RBRN_UPLINK_DENY)")
	fl.StringVarP(&f.Publish, "publish", "p", "", "[ADDR:]WORKSTATION_PORT:BOTTLE_PORT: the entry port into the bottle (RBRN_ENTRY_*; ADDR default 127.0.0.1)")
	fl.BoolVar(&f.Keep, "keep", false, "leave the service running when COMMAND ends, and print its moniker")
	fl.DurationVar(&healthTimeout, "health-timeout", 90*time.Second, "how long the sentry may take to become healthy")
	return cmd
}

// runOnce loads the configuration with the flags' layer on top, names the
// service and runs it; the exit status is COMMAND's.
func runOnce(cmd *cobra.Command, files *configFlags, spec *run.Spec, argv []string, healthTimeout time.Duration) error {
	// A first load with a stand-in moniker finds the runtime, which knows
	// the monikers taken; the second, with the new one, is the one used.
	spec.Layer["RBRN_MONIKER"] = config.Setting{Value: "run-0", Origin: "rbm run"}
	cfg, err := files.loadUnder(io.Discard, spec.Layer)
	if err != nil {
		return err
	}
	rt, err := configRuntime(cfg)
	if err != nil {
		return err
	}
	taken, err := rt.Monikers(cmd.Context(), runner.Exec{})
	if err != nil {
		return err
	}
	moniker, err := run.NewMoniker(taken)
	if err != nil {
		return err
	}
	spec.Layer["RBRN_MONIKER"] = config.Setting{Value: moniker, Origin: "rbm run"}
	if cfg, err = files.loadUnder(cmd.ErrOrStderr(), spec.Layer); err != nil {
		return err
	}
	if err := run.EnsureSentryImage(cmd.Context(), rt, runner.Exec{}, cfg.SentryImage, func(ctx context.Context) error {
		return buildQuietly(ctx, cfg.Runtime, cfg.SentryImage)
	}, cmd.ErrOrStderr()); err != nil {
		return err
	}
	argv = spec.Apply(cfg, argv)
	h := run.Host{
		Runtime: rt, Runner: runner.Exec{}, Starter: runner.Exec{},
		Start: func(ctx context.Context, cfg *config.Config) error {
			ctx, cancel := context.WithTimeout(ctx, startTimeout)
			defer cancel()
			return startService(ctx, cmd.ErrOrStderr(), cfg, healthTimeout)
		},
		In: os.Stdin, Out: cmd.OutOrStdout(), Err: cmd.ErrOrStderr(), TTY: isTerminal(os.Stdin),
	}
	code, err := run.Run(cmd.Context(), h, cfg, spec, argv)
	if err != nil {
		return err
	}
	if code != 0 {
		return &exitError{code: code}
	}
	return nil
}

// buildQuietly builds the sentry image as `rbm image build --tag image`
// would, keeping its output unless it fails: then its last lines are the
// error.
func buildQuietly(ctx context.Context, rt, image string) error {
	var log bytes.Buffer
	if err := buildSentryImage(ctx, rt, "", image, imagepkg.DefaultBase, &log, &log); err != nil {
		lines := strings.Split(strings.TrimSpace(log.String()), "\n")
		return fmt.Errorf("%w\n%s", err, strings.Join(lines[max(0, len(lines)-15):], "\n"))
	}
	return nil
}
