package main

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/dns"
	"github.com/recipe-bottle/rbm/internal/resolvconf"
	"github.com/recipe-bottle/rbm/internal/sentry"
	"github.com/spf13/cobra"
)

// A reload's configuration is staged in the state directory, applied by
// SIGHUP, and kept there once the sentry applied it, so a restarted sentry
// container comes back with it.
const (
	pendingConfig = "config.pending.env" // staged by rbm reload, not yet applied
	liveConfig    = "config.live.env"    // the last configuration a reload applied
)

// maxConfig bounds a staged configuration.
const maxConfig = 1 << 20

// sentryLoader loads the sentry's configuration: a staged one, else the
// one the last reload applied, else --regime/--nameplate and the
// environment. A staged or live file holds every variable, so the
// container's environment (from its start) does not override it.
type sentryLoader struct {
	flags  *configFlags
	dir    string
	stderr io.Writer
	// resolvConf is where the runtime's resolver is read when
	// RBRR_DNS_SERVER is unset; empty: resolvconf.Path.
	resolvConf string
}

func (l sentryLoader) load() (*config.Config, error) {
	if c, ok, err := l.file(pendingConfig); ok {
		return l.withResolver(c, err)
	}
	c, _, err := l.live()
	return l.withResolver(c, err)
}

// live is the configuration running now (a staged one is not yet), and
// where it comes from, as configured: with RBRR_DNS_SERVER unset the
// resolver is not looked up (withResolver does).
func (l sentryLoader) live() (*config.Config, string, error) {
	if c, ok, err := l.file(liveConfig); ok {
		return c, "reloaded (" + filepath.Join(l.dir, liveConfig) + ")", err
	}
	c, err := l.flags.load(l.stderr)
	return c, "as started (environment and files)", err
}

// withResolver gives a configuration without RBRR_DNS_SERVER the resolver
// the runtime wrote into the sentry's resolv.conf, read at every load (a
// start, a reload), so a laptop that changed networks is followed.
func (l sentryLoader) withResolver(c *config.Config, err error) (*config.Config, error) {
	if err != nil || !c.NeedsRuntimeResolver() {
		return c, err
	}
	path := cmp.Or(l.resolvConf, resolvconf.Path)
	a, err := resolvconf.Read(path)
	if err == nil {
		err = c.UseRuntimeResolver(a, path)
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(l.stderr, "rbm sentry: RBRR_DNS_SERVER is unset: forwarding to %s, the runtime's resolver (from %s)\n", a, path)
	return c, nil
}

// file loads the state directory's file name alone, if it exists.
func (l sentryLoader) file(name string) (*config.Config, bool, error) {
	path := filepath.Join(l.dir, name)
	if _, err := os.Stat(path); err != nil {
		return nil, false, nil
	}
	c, warnings, err := config.Load([]string{path}, nil)
	for _, w := range warnings {
		fmt.Fprintln(l.stderr, "warning:", w)
	}
	return c, true, err
}

// reloaded keeps a staged configuration the sentry applied, and drops one
// it refused: the live one stays what runs.
func (l sentryLoader) reloaded(err error) {
	pending := filepath.Join(l.dir, pendingConfig)
	if err != nil {
		os.Remove(pending)
		return
	}
	if _, statErr := os.Stat(pending); statErr == nil {
		os.Rename(pending, filepath.Join(l.dir, liveConfig))
	}
}

func newSentryConfigCmd(stateDir *string, f *configFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print the configuration the running sentry applies, as NAME=VALUE lines",
		Long: `Prints where the live configuration comes from (the first line, a comment)
and every variable as NAME=VALUE, as a reload staged it or as the sentry
started. rbm status, rbm reload and rbm verify read it.`,
		Example: "  rbm sentry config",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l := sentryLoader{flags: f, dir: *stateDir, stderr: io.Discard}
			c, source, err := l.live()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "# live configuration: %s\n", source)
			fmt.Fprintln(cmd.OutOrStdout(), strings.Join(c.Environ(), "\n"))
			return nil
		},
	}
	f.register(cmd) // as the sentry was started
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
			l := sentryLoader{flags: f, dir: *stateDir, stderr: io.Discard}
			c, _, err := l.live()
			if c, err = l.withResolver(c, err); err != nil {
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
			l := sentryLoader{flags: f, dir: *stateDir, stderr: io.Discard}
			text, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), maxConfig+1))
			if err != nil || len(text) > maxConfig {
				return &exitError{code: 2, err: fmt.Errorf("read the configuration from stdin: %v (at most %d bytes)", err, maxConfig)}
			}
			layer, err := config.ParseEnvFile("stdin", string(text))
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			next, _, err := config.Resolve(layer)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			live, _, err := l.live()
			if err != nil {
				return fmt.Errorf("the live configuration: %w", err)
			}
			if err := restartNeeded(next, live); err != nil {
				return err
			}
			m, err := sentry.ReadMarker(*stateDir)
			if err != nil {
				return fmt.Errorf("the sentry is not running here: %w", err)
			}
			if err := writeAtomic(filepath.Join(*stateDir, pendingConfig), strings.Join(next.Environ(), "\n")+"\n"); err != nil {
				return err
			}
			if err := syscall.Kill(m.PID, syscall.SIGHUP); err != nil {
				os.Remove(filepath.Join(*stateDir, pendingConfig))
				return fmt.Errorf("signal the sentry (pid %d): %w", m.PID, err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), "staged; the sentry is reloading")
			return nil
		},
	}
	f.register(cmd) // as the sentry was started
	return cmd
}

// restartNeeded refuses a change a reload cannot apply, naming each.
func restartNeeded(next, live *config.Config) error {
	if _, restart := next.Changes(live); len(restart) > 0 {
		return &exitError{code: 2, err: config.RestartError(restart)}
	}
	return nil
}

func writeAtomic(path, text string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		return fmt.Errorf("stage the configuration: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("stage the configuration: %w", err)
	}
	return nil
}
