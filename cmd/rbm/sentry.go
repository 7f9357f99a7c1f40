package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/sentry"
	"github.com/spf13/cobra"
)

const defaultStateDir = "/run/rbm"

func newSentryCmd() *cobra.Command {
	var f configFlags
	var stateDir string
	cmd := &cobra.Command{
		Use:   "sentry",
		Short: "Run the sentry: apply the rules, run the filtering resolver, stay in the foreground",
		Long: `Runs inside the sentry's network namespace (the sentry container's entrypoint).
In order: loads and validates the configuration (environment, or --regime and
--nameplate files); finds the enclave interface (the one holding
RBRR_SENTRY_IP) and the uplink; refuses a namespace whose other iptables
backend holds rules; applies the IPv4 and IPv6 rulesets atomically; sets the
sysctls it needs (forwarding last); runs dnsmasq under supervision; and
reports ready once dnsmasq answered a real query.

Events (DNS queries, denied connections, learned addresses, lifecycle) go
to the standard output as JSON lines and to a bounded history that
"rbm sentry events" (and so rbm observe and rbm suggest) reads; the
sentry's own log goes to the standard error.

Any failure leaves the namespace dropping all forwarded traffic. SIGHUP
reloads the configuration files; SIGTERM stops and leaves the enclave closed (the lockdown ruleset).`,
		Example: `  RBRR_SENTRY_IP=10.242.0.2 ... rbm sentry
  rbm sentry --regime regime.env --nameplate bottle.env --state-dir /run/rbm`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			reload := make(chan struct{}, 1)
			go func() {
				for range hup {
					reload <- struct{}{}
				}
			}()
			l := configStore(&f, stateDir, cmd.ErrOrStderr())
			l.Reloaded(errors.New("not applied before the sentry stopped")) // a stale staged file
			s := &sentry.Sentry{
				Runner: runner.Exec{}, Starter: runner.Exec{}, Sysctls: runner.ProcSys{},
				Log: cmd.ErrOrStderr(), Events: cmd.OutOrStdout(), StateDir: stateDir,
				Load: l.Load, OnReload: l.Reloaded,
			}
			return s.Serve(ctx, reload)
		},
	}
	f.register(cmd)
	cmd.PersistentFlags().StringVar(&stateDir, "state-dir", defaultStateDir, "where the dnsmasq configuration and the ready marker live")
	cmd.AddCommand(newSentryReadyCmd(&stateDir), newSentryEventsCmd(&stateDir),
		newSentryConfigCmd(&stateDir, &f), newSentryInstallConfigCmd(&stateDir, &f), newSentryUpstreamCmd(&stateDir, &f), newSentryCaptureCmd())
	return cmd
}

func newSentryReadyCmd(stateDir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "ready",
		Short: "Exit 0 only when the sentry's rules are loaded and its resolver answers",
		Long: `Checks the running sentry of this namespace: its process is alive, rbm's
ruleset is loaded, and (when DNS is enabled) dnsmasq answers a real query.
Usable as a Podman healthcheck.`,
		Example: "  rbm sentry ready && echo ready",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), readyCheckTimeout)
			defer cancel()
			if err := sentry.CheckReady(ctx, runner.Exec{}, *stateDir); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "ready")
			return nil
		},
	}
}
