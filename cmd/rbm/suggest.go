package main

import (
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/suggest"
	"github.com/spf13/cobra"
)

func newSuggestCmd() *cobra.Command {
	var o sourceOpts
	cmd := &cobra.Command{
		Use:   "suggest (--lab | --moniker M)",
		Short: "From what the sentry refused, print the nameplate lines that would allow it (for review)",
		Long: `Reads the sentry's history (the last 4096 events) and groups what it refused:
names its resolver answered "not allowed", and addresses the bottle tried to
reach without an allowed name, each with counts and first and last seen. It
prints RBRN_UPLINK_ALLOWED_DOMAINS and RBRN_UPLINK_ALLOWED_CIDRS lines that
extend the service's present values. Refusals no setting should open (cloud
metadata, the sentry's own ports, other resolvers) are listed with why.
Refused names that are not host names (a space, a control byte, a quote,
$...), special-use names (invalid, localhost, test...) and public suffixes
(com, co.uk) are never proposed: they are listed, escaped, with why.

The lines are single-quoted and hold only host-name bytes: a POSIX shell
(set -a; . ./proposed.env) and rbm's env-file parser read them the same,
and sourcing them runs nothing.

Nothing is applied: read the lines, keep what you mean, put them in the
nameplate and restart (or reload) the service.`,
		Example: `  sudo rbm suggest --lab
  rbm suggest --moniker notebook >> proposed.env`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.check(); err != nil {
				return err
			}
			ctx := cmd.Context()
			cur, err := o.current(cmd)
			if err != nil {
				return err
			}
			r, err := o.open(ctx, false, 0)
			if err != nil {
				return err
			}
			defer r.Close()
			var evs []events.Event
			if err := events.Decode(r, func(e events.Event) error { evs = append(evs, e); return nil }); err != nil {
				return err
			}
			suggest.Build(evs).Print(cmd.OutOrStdout(), cur)
			return nil
		},
	}
	o.register(cmd)
	return cmd
}

// current reads the service's present allowed domains and CIDRs.
func (o *sourceOpts) current(cmd *cobra.Command) (suggest.Current, error) {
	if o.lab {
		info, err := o.labInfo()
		if err != nil {
			return suggest.Current{}, err
		}
		return suggest.Current{Domains: info.Policy.AllowedDomains, Match: info.Policy.Match, CIDRs: info.Policy.AllowedCIDRs}, nil
	}
	rt, err := serviceRuntime(cmd.Context(), o.moniker)
	if err != nil {
		return suggest.Current{}, err
	}
	cfg, _, err := engine.LiveConfig(cmd.Context(), rt, runner.Exec{}, engine.NamesFor(o.moniker))
	if err != nil {
		return suggest.Current{}, err
	}
	return suggest.Current{Domains: cfg.AllowedDomains, Match: cfg.DNSMatch, CIDRs: cfg.AllowedCIDRs}, nil
}
