package main

import (
	"fmt"

	"github.com/recipe-bottle/rbm/internal/presets"
	"github.com/spf13/cobra"
)

func newPresetsCmd() *cobra.Command {
	var markdown bool
	cmd := &cobra.Command{
		Use:   "presets [NAME...]",
		Short: "List the built-in allowlists, or print the names of some",
		Long: `Without a name, lists every preset: its name, how many names it allows and
what it opens beyond reading. With names (with or without their @), prints
each one's names, one per line, after comment lines with the public source
they come from and the date it was checked.

Write @name in RBRN_UPLINK_ALLOWED_DOMAINS to allow a preset's names; rbm
expands it on the host, so the sentry receives plain names. docs/presets.md
says how each list was made and how to propose a change.`,
		Example: `  rbm presets
  rbm presets github npm
  rbm presets --markdown
  RBRN_UPLINK_ALLOWED_DOMAINS="@anthropic @github @npm" rbm config check --regime examples/regime.env --nameplate examples/allowlist.env`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if markdown {
				fmt.Fprint(cmd.OutOrStdout(), presets.Markdown(presets.All()))
				return nil
			}
			if len(args) == 0 {
				fmt.Fprint(cmd.OutOrStdout(), presets.RenderList(presets.All()))
				return nil
			}
			var ps []presets.Preset
			for _, a := range args {
				p, ok := presets.Lookup(a)
				if !ok {
					return &exitError{code: 2, err: fmt.Errorf("preset %q: expected one of %s", a, presets.Known())}
				}
				ps = append(ps, p)
			}
			fmt.Fprint(cmd.OutOrStdout(), presets.RenderExpand(ps))
			return nil
		},
	}
	cmd.Flags().BoolVar(&markdown, "markdown", false, "print every preset as the README's Markdown table")
	return cmd
}
