package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/dns"
	"github.com/recipe-bottle/rbm/internal/sentry"
	"github.com/spf13/cobra"
)

// configStore is the sentry's configuration in stateDir, started from f's
// files and the environment; warnings and notices go to log.
func configStore(f *configFlags, stateDir string, log io.Writer) sentry.ConfigStore {
	return sentry.ConfigStore{Dir: stateDir, Log: log, Started: func() (*config.Config, error) { return f.load(log) }}
}

func newSentryConfigCmd(stateDir *string, f *configFlags) *cobra.Command {
	var resolved bool
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print the configuration the running sentry applies, as NAME=VALUE lines",
		Long: `Prints where the live configuration comes from (the first line, a comment)
and every variable as NAME=VALUE, as a reload staged it or as the sentry
started. rbm status, rbm reload and rbm verify read it.

--resolved fills an unset RBRR_DNS_SERVER with the resolver the sentry
forwards to (its runtime's, from its resolv.conf, read now): what rbm verify
judges the upstream by. Without it the line stays unset, as a reload keeps it
(the sentry follows the runtime's resolver at each start and reload).`,
		Example: "  rbm sentry config\n  rbm sentry config --resolved",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store := configStore(f, *stateDir, io.Discard)
			c, source, err := store.Live()
			if resolved {
				c, err = store.WithResolver(c, err)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "# live configuration: %s\n", source)
			fmt.Fprintln(cmd.OutOrStdout(), strings.Join(c.Environ(), "\n"))
			return nil
		},
	}
	f.register(cmd) // as the sentry was started
	cmd.Flags().BoolVar(&resolved, "resolved", false, "fill an unset RBRR_DNS_SERVER with the runtime's resolver the sentry forwards to")
	return cmd
}

func newSentryUpstreamCmd(stateDir *string, f *configFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "upstream",
		Short: "Ask the upstream resolver directly whether it answers",
		Long: `Sends one query (the root's NS records) from the sentry to the upstream
resolver of the live configuration and prints whether it answered. The
sentry's readiness never depends on the upstream; this says whether names
can resolve at all. rbm status shows it. Exit status 1 when it does not answer.`,
		Example: "  rbm sentry upstream",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l := configStore(f, *stateDir, io.Discard)
			c, _, err := l.Live()
			if c, err = l.WithResolver(c, err); err != nil {
				return err
			}
			if !c.DNSEnabled {
				fmt.Fprintln(cmd.OutOrStdout(), "no upstream resolver: DNS is off")
				return nil
			}
			state, err := dns.UpstreamState(cmd.Context(), c.DNSServer)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), state)
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

func newSentryInstallConfigCmd(stateDir *string, f *configFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "install-config",
		Short: "Stage a new configuration (env-file text on stdin) and signal the sentry to apply it",
		Long: `Reads a whole configuration as env-file text on standard input, validates
it, refuses changes that need a restart, stages it in the state directory
and sends SIGHUP to the running sentry, which applies it atomically or
refuses it (then the running configuration stays). rbm reload runs this
inside the sentry's container.`,
		Example: "  rbm sentry config | sed 's/^RBRN_UPLINK_ALLOWED_CIDRS=.*/&198.51.100.7\\/32/' | rbm sentry install-config",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			err := configStore(f, *stateDir, io.Discard).Stage(cmd.InOrStdin())
			if sentry.IsInputError(err) {
				return &exitError{code: 2, err: err}
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "staged; the sentry is reloading")
			return nil
		},
	}
	f.register(cmd) // as the sentry was started
	return cmd
}
