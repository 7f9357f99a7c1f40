package main

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/presets"
	"github.com/spf13/cobra"
)

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "config",
		Example: "  rbm config check --regime examples/regime.env --nameplate examples/allowlist.env\n  rbm config reference",
		Short:   "Inspect rbm's configuration",
	}
	cmd.AddCommand(newConfigCheckCmd(), &cobra.Command{
		Use:     "reference",
		Short:   "Print every variable with its default and meaning (Markdown)",
		Example: "  rbm config reference",
		Args:    cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprint(cmd.OutOrStdout(), config.Reference())
		},
	})
	return cmd
}

func newConfigCheckCmd() *cobra.Command {
	var f configFlags
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Load and validate the configuration; print every value with its origin",
		Long: `Loads the regime file, then the nameplate file, then RBRR_/RBRN_ variables of
the environment on top, validates everything and prints the resolved values
with where each came from. Nothing is applied.

Exit status: 0 valid, 2 invalid (every problem is listed, one per line).`,
		Example: "  rbm config check --regime examples/regime.env --nameplate examples/allowlist.env",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.load(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			printConfig(cmd, c)
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

func printConfig(cmd *cobra.Command, c *config.Config) {
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "VARIABLE\tVALUE\tORIGIN")
	for _, v := range config.Vars {
		s := c.Settings[v.Name]
		fmt.Fprintf(w, "%s\t%s\t%s\n", v.Name, display(s.Value), s.Origin)
	}
	w.Flush()
	printPresets(cmd, c)
	p := c.Policy()
	fmt.Fprintf(cmd.OutOrStdout(), "\nvalid: egress %s, DNS %s, interception %s, entry %s\nenclave: %s\nupstream resolver: %s\nname gate: %s\n",
		p.Egress, p.DNS, p.Intercept, entrySummary(c), c.EnclaveText(), c.ResolverText(), p.GateText())
}

// printPresets shows what each @name of RBRN_UPLINK_ALLOWED_DOMAINS
// became: the sentry receives these names, not the @name.
func printPresets(cmd *cobra.Command, c *config.Config) {
	if len(c.Presets) == 0 {
		return
	}
	fmt.Fprintln(cmd.OutOrStdout(), "\npresets in RBRN_UPLINK_ALLOWED_DOMAINS, expanded here (the sentry receives the names):")
	for _, name := range c.Presets {
		if p, ok := presets.Lookup(name); ok {
			fmt.Fprintln(cmd.OutOrStdout(), "  "+presets.Arrow(p))
		}
	}
}

func display(v string) string {
	if v == "" {
		return "-"
	}
	q := strconv.Quote(v) // shows a smuggled newline as \n
	// A '"' is printable: RBRN_BOTTLE_COMMAND's JSON reads as written.
	return strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`)
}

func entrySummary(c *config.Config) string {
	if !c.EntryEnabled {
		return "off"
	}
	return fmt.Sprintf("workstation:%d -> bottle:%d", c.EntryPortWorkstation, c.EntryPortEnclave)
}
