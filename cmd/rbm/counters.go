package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/backends"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/spf13/cobra"
)

const readyCheckTimeout = 5 * time.Second

func newCountersCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "counters",
		Short: "Print packets and bytes per rbm rule id of the live ruleset",
		Long: `Reads the live IPv4 ruleset of this network namespace (iptables-save -c) and
prints the packet and byte counters of every rbm rule by its id (rbm:<id>),
then the counters of the built-in chains' policies. This is how you see that
the FORWARD chain really processes the bottle's packets.`,
		Example: `  rbm counters
  ip netns exec rbmlab-sentry rbm counters --json
  podman exec notebook-sentry rbm counters`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			snap, err := backends.Detect(cmd.Context(), runner.Exec{}).Counters(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(snap)
			}
			printCounters(cmd, snap)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printCounters(cmd *cobra.Command, snap firewall.Snapshot) {
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "PACKETS\tBYTES\t RULE\t")
	for _, id := range sortedKeys(snap.Rules) {
		c := snap.Rules[id]
		fmt.Fprintf(w, "%d\t%d\t %s\t\n", c.Packets, c.Bytes, id)
	}
	for _, chain := range sortedKeys(snap.Policies) {
		c := snap.Policies[chain]
		fmt.Fprintf(w, "%d\t%d\t %s (policy)\t\n", c.Packets, c.Bytes, chain)
	}
	w.Flush()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
