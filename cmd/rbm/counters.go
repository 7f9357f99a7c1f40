package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/backends"
	"github.com/recipe-bottle/rbm/internal/policy"
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
the name it was learned for, from the sentry's state directory. When the
sentry checks names (RBRN_UPLINK_NAME_CHECK), the name gate's decisions
follow, from the same directory: connections, not packets, by rule id
(rbm:gate-pass, rbm:gate-name, ...).`,
		Example: `  rbm counters
  ip netns exec rbmlab-sentry rbm counters --json
  podman exec notebook-sentry rbm counters`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fw, err := firewallOf(cmd.Context(), stateDir)
			if err != nil {
				return err
			}
			snap, err := fw.Counters(cmd.Context())
			if err != nil {
				return err
			}
			names, err := learnedNames(stateDir)
			if err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "rbm counters: warning: %v\n", err)
			}
			gate, err := gateCounts(stateDir)
			if err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "rbm counters: warning: %v\n", err)
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					firewall.Snapshot
					LearnedNames map[string]string `json:"learned_names,omitempty"`
					// GateConnections are the name gate's, by rule id with IDPrefix.
					GateConnections map[string]uint64 `json:"gate_connections,omitempty"`
				}{snap, names, gate})
			}
			writeCounters(cmd.OutOrStdout(), snap, names, gate)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&stateDir, "state-dir", defaultStateDir, "the sentry's state directory (names of learned addresses, the name gate's counts)")
	return cmd
}

// writeCounters prints the kernel's counters, then the name gate's (by
// rule id with IDPrefix, as gateCounts returns them) under a header of
// their own: the gate counts connections, and has no byte count.
func writeCounters(out io.Writer, snap firewall.Snapshot, names map[string]string, gate map[string]uint64) {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "PACKETS\tBYTES\t RULE\t")
	for _, id := range slices.Sorted(maps.Keys(snap.Rules)) {
		c := snap.Rules[id]
		label := id
		if n := names[id]; n != "" {
			label += " (" + n + ")"
		}
		fmt.Fprintf(w, "%d\t%d\t %s\t\n", c.Packets, c.Bytes, label)
	}
	for _, chain := range slices.Sorted(maps.Keys(snap.Policies)) {
		c := snap.Policies[chain]
		fmt.Fprintf(w, "%d\t%d\t %s (policy)\t\n", c.Packets, c.Bytes, chain)
	}
	if len(gate) > 0 {
		fmt.Fprintln(w, "CONNECTIONS\t\t NAME GATE RULE\t")
	}
	for _, id := range gateOrder(gate) {
		fmt.Fprintf(w, "%d\t\t %s\t\n", gate[id], id)
	}
	w.Flush()
}

// gateOrder lists gate's ids in policy.GateRules' order (passes first),
// then any other id sorted: a newer sentry may count rules this rbm
// does not know.
func gateOrder(gate map[string]uint64) []string {
	var ids []string
	for _, r := range policy.GateRules {
		if _, ok := gate[firewall.IDPrefix+r]; ok {
			ids = append(ids, firewall.IDPrefix+r)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(gate)) {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// firewallOf is the backend of the sentry using stateDir, as its ready
// marker names it; without a marker, what the namespace holds decides.
func firewallOf(ctx context.Context, stateDir string) (firewall.Backend, error) {
	m, _ := sentry.ReadMarker(stateDir) // none: ForMarker detects
	return backends.ForMarker(ctx, m.Firewall, runner.Exec{})
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

// gateCounts is the name gate's connections by counter id (IDPrefix and
// the rule), as the sentry using stateDir saved them; nil without a file.
func gateCounts(stateDir string) (map[string]uint64, error) {
	m, err := sentry.ReadGateCounts(stateDir)
	if err != nil || len(m) == 0 {
		return nil, err
	}
	out := make(map[string]uint64, len(m))
	for r, n := range m {
		out[firewall.IDPrefix+r] = n
	}
	return out, nil
}
