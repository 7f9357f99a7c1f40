package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/spf13/cobra"
)

func newReloadCmd() *cobra.Command {
	var f configFlags
	var moniker string
	cmd := &cobra.Command{
		Use:   "reload --moniker M [--regime F] [--nameplate F]",
		Short: "Apply a changed nameplate to a running service without restarting the bottle",
		Long: `Reads the service's live configuration, layers the given files (and the
environment) on top, validates the result and shows what changes. The sentry
then applies it atomically: the rules are swapped in one step, the resolver
restarted only if its configuration changed, and connections and learned
addresses that stay allowed are kept; the bottle keeps running. The host's
addresses are found again (RBRR_HOST_ADDRESSES), so a host that changed
networks stays shut to the bottle after a reload. An invalid
configuration is refused with the usual error lines and nothing changes.

What shapes the containers cannot change in place: addresses, the subnet,
images, the uplink network, the entry port and the firewall backend. A change
to one of those is refused with the list; rbm stop and rbm start apply it.`,
		Example: `  rbm reload --moniker notebook --nameplate notebook.env
  RBRN_UPLINK_ALLOWED_DOMAINS="pypi.org files.pythonhosted.org" rbm reload --moniker notebook`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if moniker == "" {
				return &exitError{code: 2, err: errors.New("--moniker is required: the service to reload")}
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
			defer cancel()
			rt, err := serviceRuntime(ctx, moniker)
			if err != nil {
				return err
			}
			live, _, err := engine.LiveConfig(ctx, rt, runner.Exec{}, engine.NamesFor(moniker))
			if err != nil {
				return err
			}
			next, err := f.loadOver(cmd.ErrOrStderr(), []map[string]config.Setting{live.Layer("the live configuration")})
			if err != nil {
				return err
			}
			if next.Moniker != moniker {
				return &exitError{code: 2, err: fmt.Errorf("RBRN_MONIKER %q: the files name another service than --moniker %s", next.Moniker, moniker)}
			}
			if err := findHostAddrs(next); err != nil {
				return err
			}
			if set := next.BottleVarsSet(); len(set) > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "note: %s shape the bottle's container and stay as it was created; a restart (rbm stop, rbm start) applies a change\n", strings.Join(set, ", "))
			}
			return engine.Reload(ctx, rt, runner.Exec{}, live, next, cmd.OutOrStdout())
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&moniker, "moniker", "", "the running bottle service to reload")
	return cmd
}
