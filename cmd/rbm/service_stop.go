package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/runtimes"
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

// resolve names the service and its runtime: with --moniker, the runtime
// holding it (serviceRuntime); else the configuration's.
func (m *monikerFlags) resolve(cmd *cobra.Command) (string, engine.Runtime, error) {
	if m.moniker != "" {
		rt, err := serviceRuntime(cmd.Context(), m.moniker)
		return m.moniker, rt, err
	}
	cfg, err := m.load(cmd.ErrOrStderr())
	if err != nil {
		return "", nil, err
	}
	rt, err := configRuntime(cfg)
	return cfg.Moniker, rt, err
}

func newStopCmd() *cobra.Command {
	var m monikerFlags
	cmd := &cobra.Command{
		Use:   "stop",
		Short: "Remove the bottle service: bottle, sentry and enclave network",
		Long: `Removes every container and network labelled rbm.moniker=<moniker>:
exactly what rbm start created, also after a half-failed start. Objects
already gone are fine. The bottle (Podman: its pod) goes first, then the
sentry, then the network. The runtime is RBRR_RUNTIME when set, else the one
holding the moniker's objects.`,
		Example: `  rbm stop --moniker notebook
  rbm stop --regime regime.env --nameplate notebook.env`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			moniker, rt, err := m.resolve(cmd)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), stopTimeout)
			defer cancel()
			return engine.Stop(ctx, rt, runner.Exec{}, moniker, cmd.OutOrStdout())
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

With one, shows every container and network of the service with its state and
addresses, the sentry's health, whether the bottle's routes still go only
through the sentry (checked by the container that set them), the sentry's rules that
counted packets, which configuration is live (as started, or from rbm reload)
and the recent refusals.`,
		Example: "  rbm status\n  rbm status --json\n  rbm status --moniker notebook",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if m.moniker == "" && len(m.files()) == 0 {
				ctx, cancel := context.WithTimeout(cmd.Context(), stopTimeout)
				defer cancel()
				// A runtime that cannot answer (a Docker socket this user
				// may not use) is named, not fatal, unless none answers.
				installed := runtimes.Installed()
				list, failed := engine.ListAll(ctx, installed, runner.Exec{})
				if len(installed) > 0 && len(failed) == len(installed) {
					return errors.Join(failed...)
				}
				for _, err := range failed {
					fmt.Fprintf(cmd.ErrOrStderr(), "note: not listed: %v\n", err)
				}
				if asJSON {
					return writeJSONLine(cmd.OutOrStdout(), list)
				}
				engine.WriteList(cmd.OutOrStdout(), list)
				return nil
			}
			moniker, rt, err := m.resolve(cmd)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), stopTimeout)
			defer cancel()
			st, err := engine.Inspect(ctx, rt, runner.Exec{}, moniker)
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
