package main

import (
	"context"
	"time"

	"github.com/recipe-bottle/rbm/internal/podman"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/spf13/cobra"
)

// stopTimeout bounds `rbm stop` and `rbm status`.
const stopTimeout = 2 * time.Minute

// monikerFlags name a service by --moniker, or else by its configuration.
type monikerFlags struct {
	configFlags
	moniker string
}

func (m *monikerFlags) register(cmd *cobra.Command) {
	m.configFlags.register(cmd)
	cmd.Flags().StringVar(&m.moniker, "moniker", "", "the service's moniker (default: RBRN_MONIKER of the configuration)")
}

func (m *monikerFlags) resolve(cmd *cobra.Command) (string, error) {
	if m.moniker != "" {
		return m.moniker, nil
	}
	cfg, err := m.load(cmd.ErrOrStderr())
	if err != nil {
		return "", err
	}
	return cfg.Moniker, nil
}

func newStopCmd() *cobra.Command {
	var m monikerFlags
	cmd := &cobra.Command{
		Use:   "stop",
		Short: "Remove the bottle service: pod, bottle, sentry and enclave network",
		Long: `Removes every Podman object labelled rbm.moniker=<moniker>: exactly what
rbm start created, also after a half-failed start. Objects already gone are
fine. The bottle's pod goes first, then the sentry, then the network.`,
		Example: `  rbm stop --moniker notebook
  rbm stop --regime regime.env --nameplate notebook.env`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			moniker, err := m.resolve(cmd)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), stopTimeout)
			defer cancel()
			return podman.Stop(ctx, runner.Exec{}, moniker, cmd.OutOrStdout())
		},
	}
	m.register(cmd)
	return cmd
}

func newStatusCmd() *cobra.Command {
	var m monikerFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [--moniker M]",
		Short: "List the bottle services, or show one: containers, addresses, health, routes, counters",
		Long: `Without a moniker (and without --regime/--nameplate), lists every bottle
service on this host: the sentry's and the bottle's state and health, the
live egress, DNS and denial modes, and what was refused in the last ten
minutes.

With one, shows every Podman object of the service with its state and
addresses, the sentry's health, whether the bottle's routes still go only
through the sentry (checked by its guard container), the sentry's rules that
counted packets, which configuration is live (as started, or from rbm reload)
and the recent refusals.`,
		Example: "  rbm status\n  rbm status --json\n  rbm status --moniker notebook",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if m.moniker == "" && len(m.files()) == 0 {
				ctx, cancel := context.WithTimeout(cmd.Context(), stopTimeout)
				defer cancel()
				list, err := podman.List(ctx, runner.Exec{})
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSONLine(cmd.OutOrStdout(), list)
				}
				podman.WriteList(cmd.OutOrStdout(), list)
				return nil
			}
			moniker, err := m.resolve(cmd)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), stopTimeout)
			defer cancel()
			st, err := podman.Inspect(ctx, runner.Exec{}, moniker)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSONLine(cmd.OutOrStdout(), st.Service())
			}
			st.Write(cmd.OutOrStdout())
			return nil
		},
	}
	m.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (one service: its summary line)")
	return cmd
}
