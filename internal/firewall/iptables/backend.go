package iptables

import (
	"context"
	"fmt"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Backend is the kernel interface the iptables commands drive.
type Backend string

// Backends iptables 1.8 can use.
const (
	BackendNFTables Backend = "nf_tables"
	BackendLegacy   Backend = "legacy"
)

// other is the backend rbm does not use, and the save commands that show what
// it holds (IPv4 and IPv6).
func (b Backend) other() (Backend, []string) {
	if b == BackendNFTables {
		return BackendLegacy, []string{"iptables-legacy-save", "ip6tables-legacy-save"}
	}
	return BackendNFTables, []string{"iptables-nft-save", "ip6tables-nft-save"}
}

// DetectBackend reads the backend from "iptables --version", which prints
// "iptables v1.8.9 (nf_tables)" or "(legacy)"; versions before 1.8 print no
// suffix and are legacy.
func DetectBackend(ctx context.Context, r runner.Runner) (Backend, error) {
	out, err := r.Run(ctx, runner.Cmd{Name: "iptables", Args: []string{"--version"}})
	if err != nil {
		return "", fmt.Errorf("detect iptables backend: %w", err)
	}
	v := strings.TrimSpace(string(out))
	switch {
	case strings.Contains(v, "(nf_tables)"):
		return BackendNFTables, nil
	case strings.Contains(v, "(legacy)"), strings.HasPrefix(v, "iptables v") && !strings.Contains(v, "("):
		return BackendLegacy, nil
	}
	return "", fmt.Errorf("detect iptables backend: unrecognised %q from iptables --version", v)
}

// CheckBackends returns the backend rbm's iptables commands use, or a
// *SplitBackendError when the other backend already holds rules, user
// chains or non-ACCEPT policies in this network namespace: packets then cross
// both rulesets and ours may never see them. A missing save command of the
// other backend means it cannot hold anything, which is fine.
func CheckBackends(ctx context.Context, r runner.Runner) (Backend, error) {
	used, err := DetectBackend(ctx, r)
	if err != nil {
		return "", err
	}
	other, saves := used.other()
	for _, name := range saves {
		out, err := r.Run(ctx, runner.Cmd{Name: name})
		if runner.IsNotFound(err) {
			continue
		}
		if err != nil {
			return used, fmt.Errorf("check %s backend with %s: %w", other, name, err)
		}
		if ev := firewall.SaveEvidence(string(out)); len(ev) > 0 {
			return used, &SplitBackendError{Used: used, Other: other, Command: name, Evidence: ev}
		}
	}
	return used, nil
}

// SplitBackendError says the namespace holds rules of the iptables backend
// rbm does not use.
type SplitBackendError struct {
	Used     Backend  // what "iptables" drives, and so what rbm loads into
	Other    Backend  // the backend that already holds rules
	Command  string   // the save command that showed them
	Evidence []string // the offending lines
}

// Error names both backends, shows what was found and how to fix it.
func (e *SplitBackendError) Error() string {
	shown := e.Evidence
	if len(shown) > 3 {
		shown = shown[:3]
	}
	return fmt.Sprintf("iptables backend split: %s finds %d rule(s), user chain(s) or DROP policies of the %s backend "+
		"in this network namespace (%s), but rbm loads its rules with the %s backend; packets would cross both "+
		"rulesets and rbm's rules may never see them. Remove the %s rules (list them with %s) or start the "+
		"sentry in a fresh network namespace",
		e.Command, len(e.Evidence), e.Other, strings.Join(shown, "; "), e.Used, e.Other, e.Command)
}
