package nftables

import (
	"context"
	"fmt"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// saveCommands show the iptables rulesets a packet would cross besides
// table inet rbm: the legacy (x_tables) ones, and the nf_tables ones
// iptables-nft made (tables ip filter, ip nat, ...; also caught by the nft
// listing, but shown here in the syntax that made them).
var saveCommands = []string{"iptables-legacy-save", "ip6tables-legacy-save", "iptables-nft-save", "ip6tables-nft-save"}

// CheckForeign returns a *ForeignRulesError when the namespace holds
// rules packets would cross besides rbm's: any rule, user chain or
// non-ACCEPT policy in an iptables save dump, or any nftables table other
// than inet rbm with a base chain (hooked in, so every packet crosses it,
// whatever its policy; the sentry's namespace should hold nothing else). A
// missing command means its ruleset cannot hold anything.
func CheckForeign(ctx context.Context, r runner.Runner) error {
	for _, name := range saveCommands {
		out, err := r.Run(ctx, runner.Cmd{Name: name})
		if runner.IsNotFound(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check for foreign rules with %s: %w", name, err)
		}
		if ev := firewall.SaveEvidence(string(out)); len(ev) > 0 {
			return &ForeignRulesError{Command: name, Evidence: ev}
		}
	}
	const list = "nft list ruleset" // what a user runs to see them; read here as JSON
	out, err := r.Run(ctx, runner.Cmd{Name: "nft", Args: []string{"-j", "list", "ruleset"}})
	if runner.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check for foreign rules with %s: %w", list, err)
	}
	l, err := parseListing(out)
	if err != nil {
		return fmt.Errorf("check for foreign rules with %s: %w", list, err)
	}
	if ev := foreignBaseChains(l); len(ev) > 0 {
		return &ForeignRulesError{Command: list, Evidence: ev}
	}
	return nil
}

// foreignBaseChains describes every base chain outside table inet rbm.
func foreignBaseChains(l listing) []string {
	var ev []string
	for _, o := range l.Nftables {
		if c := o.Chain; c != nil && c.Hook != "" && !ours(c.Family, c.Table) {
			ev = append(ev, fmt.Sprintf("table %s %s chain %s (hook %s, policy %s)", c.Family, c.Table, c.Name, c.Hook, c.Policy))
		}
	}
	return ev
}

// ForeignRulesError says the namespace holds rules outside table inet rbm
// that packets would also cross.
type ForeignRulesError struct {
	Command  string   // what showed them
	Evidence []string // the offending lines or chains
}

// Error shows what was found, where, and how to fix it.
func (e *ForeignRulesError) Error() string {
	shown := e.Evidence
	if len(shown) > 3 {
		shown = shown[:3]
	}
	return fmt.Sprintf("foreign firewall rules: %s finds %d rule(s), chain(s) or DROP policies outside nftables "+
		"table inet rbm in this network namespace (%s); packets would cross them as well as rbm's table, so "+
		"rbm's rules may never see them or allow what they drop. Remove them (list them with %s), "+
		"or set RBRR_FIREWALL_BACKEND to the backend that loaded them, or start the sentry in a fresh network namespace",
		e.Command, len(e.Evidence), strings.Join(shown, "; "), e.Command)
}
