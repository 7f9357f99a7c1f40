package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/backends"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/sentry"
	"github.com/spf13/cobra"
)

const readyCheckTimeout = 5 * time.Second

func newCountersCmd() *cobra.Command {
	var asJSON bool
	var stateDir string
	cmd := &cobra.Command{
		Use:   "counters",
		Short: "Print packets and bytes per rbm rule id of the live ruleset",
		Long: `Reads the live ruleset of this network namespace (iptables-save -c and
ipset save, or nft -j list table inet rbm) and prints the packet and byte
counters of every rbm rule by its id (rbm:<id>), then the counters of the
built-in chains' policies. This is how you see that the FORWARD chain really
processes the bottle's packets. The firewall backend comes from the sentry's
ready marker in --state-dir, else from what the namespace holds. Allowed
CIDRs and learned addresses are set elements with counters of their own
(rbm:fwd-allow-<CIDR>, rbm:fwd-learned-<address>); a learned address shows
the name it was learned for, from the sentry's state directory.`,
		Example: `  rbm counters
  ip netns exec rbmlab-sentry rbm counters --json
  podman exec notebook-sentry rbm counters`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			snap, err := firewallOf(cmd.Context(), stateDir).Counters(cmd.Context())
			if err != nil {
				return err
			}
			names, err := learnedNames(stateDir)
			if err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "rbm counters: warning: %v\n", err)
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					firewall.Snapshot
					LearnedNames map[string]string `json:"learned_names,omitempty"`
				}{snap, names})
			}
			printCounters(cmd, snap, names)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&stateDir, "state-dir", defaultStateDir, "the sentry's state directory (names of learned addresses)")
	return cmd
}

func printCounters(cmd *cobra.Command, snap firewall.Snapshot, names map[string]string) {
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "PACKETS\tBYTES\t RULE\t")
	for _, id := range sortedKeys(snap.Rules) {
		c := snap.Rules[id]
		label := id
		if n := names[id]; n != "" {
			label += " (" + n + ")"
		}
		fmt.Fprintf(w, "%d\t%d\t %s\t\n", c.Packets, c.Bytes, label)
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

// firewallOf is the backend of the sentry using stateDir, as its ready
// marker names it; without a marker, what the namespace holds decides.
func firewallOf(ctx context.Context, stateDir string) firewall.Backend {
	if m, err := sentry.ReadMarker(stateDir); err == nil {
		if fw, err := backends.New(m.Firewall, runner.Exec{}); err == nil {
			return fw
		}
	}
	return backends.Detect(ctx, runner.Exec{})
}

// learnedNames maps learned-address counter ids to the names they were
// learned for, as the sentry using stateDir saved them.
func learnedNames(stateDir string) (map[string]string, error) {
	m, err := sentry.ReadLearnedNames(stateDir)
	if err != nil || len(m) == 0 {
		return nil, err
	}
	out := make(map[string]string, len(m))
	for a, n := range m {
		out[firewall.IDPrefix+firewall.LearnedID(a)] = n.Name
	}
	return out, nil
}
