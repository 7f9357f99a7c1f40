package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/lab"
	"github.com/recipe-bottle/rbm/internal/lab/labverify"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/standin"
	"github.com/recipe-bottle/rbm/internal/verify"
	"github.com/spf13/cobra"
)

func newDemoCmd() *cobra.Command {
	var prefix, only string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Build the lab, run the request's checks with counter deltas, tear it down (needs root)",
		Long: `Runs the whole system in network namespaces with the lab's built-in bottle and
proves the request's checks hold, once per DNS interception mode:

  redirect  DNS sent to a foreign resolver is answered by the sentry's filter
            (a forbidden name gets NXDOMAIN; the foreign resolver sees nothing)
  reject    DNS sent to a foreign resolver is refused (the request's literal
            "dig @8.8.8.8 must fail")

and in both: dig @sentry answers an allowed name, a forbidden name gets
NXDOMAIN, HTTPS to an allowed name works, HTTP to a forbidden address fails,
and the sentry's FORWARD counters moved. Then what resolving opens: a server
in no allowed CIDR refuses a connect until the bottle resolves its allowed
name through the sentry, and accepts one right after; a forbidden name
asked of a foreign resolver opens nothing. Then the name gate: on that
learned address only the name that opened it passes (another name in the
SNI or the Host, no SNI, QUIC and other ports are refused). The first mode runs on the
iptables backend, the second on nftables. Every packet stays inside the
lab's namespaces. Exit status 0 only if every check holds. For the full
battery, run rbm lab up, then rbm verify --lab.`,
		Example: "  sudo rbm demo\n  sudo rbm demo --intercept reject",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			modes := []string{"redirect", "reject"}
			if only != "" {
				if only != "redirect" && only != "reject" {
					return &exitError{code: 2, err: fmt.Errorf("--intercept %q: expected redirect or reject", only)}
				}
				modes = []string{only}
			}
			l, err := newLab(prefix)
			if err != nil {
				return err
			}
			var failed []string
			for _, m := range modes {
				if err := demoOnce(cmd, l, m); err != nil {
					fmt.Fprintf(cmd.OutOrStdout(), "FAILED: %v\n\n", err)
					failed = append(failed, m)
				}
			}
			if len(failed) > 0 {
				return fmt.Errorf("demo failed in mode %s", strings.Join(failed, ", "))
			}
			fmt.Fprintln(cmd.OutOrStdout(), "every check held in every mode; the lab is gone.")
			return nil
		},
	}
	cmd.Flags().StringVar(&prefix, "prefix", "rbmdemo", "lab prefix used for the demo")
	cmd.Flags().StringVar(&only, "intercept", "", "run one interception mode only: redirect or reject")
	return cmd
}

// demoOnce runs the request's checks in one interception mode.
func demoOnce(cmd *cobra.Command, l *lab.Lab, mode string) (err error) {
	out := cmd.OutOrStdout()
	backend := demoBackends[mode]
	override := map[string]config.Setting{
		"RBRN_DNS_INTERCEPT":    {Value: mode, Origin: "rbm demo"},
		"RBRR_FIREWALL_BACKEND": {Value: backend, Origin: "rbm demo"},
	}
	c, _, err := config.Resolve(append(lab.Example(), override)...)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "== RBRN_DNS_INTERCEPT=%s RBRR_FIREWALL_BACKEND=%s: building the lab (%s-wan, -sentry, -bottle)\n", mode, backend, l.Prefix)
	info, err := l.Up(cmd.Context(), c)
	if err != nil {
		return err
	}
	defer func() {
		if derr := l.Down(context.WithoutCancel(cmd.Context())); derr != nil && err == nil {
			err = derr
		}
	}()
	describe(cmd, info.Policy, info)
	target := labverify.Target(info, false)
	var cases []verify.Case
	for _, group := range []string{"request/", "learn/", "gate/"} { // the request's checks first, then names that open only themselves
		for _, cs := range verify.Cases(target) {
			if strings.HasPrefix(cs.Name, group) {
				cases = append(cases, cs)
			}
		}
	}
	if err := runBattery(cmd, labverify.Backend{Info: info, Runner: runner.Exec{}}, cases, verifyOpts{}); err != nil {
		return err
	}
	st, err := standin.FetchStats(cmd.Context(), info.Stats)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "the foreign resolver %s received %d queries in all.\n\n", info.Addresses.Foreign, st.Foreign.Total)
	return nil
}

// demoBackends: each interception mode runs on its own firewall backend,
// so one demo shows both.
var demoBackends = map[string]string{"redirect": "iptables", "reject": "nftables"}

func describe(cmd *cobra.Command, p policy.Policy, info *lab.Info) {
	a := info.Addresses
	fmt.Fprintf(cmd.OutOrStdout(), "   bottle %s -> sentry %s -> stand-in internet; foreign resolver %s, allowed %s (%s), forbidden %s,\n"+
		"   learned %s (%s, in no allowed CIDR: open once resolved)\n\n",
		p.BottleIP, p.SentryIP, a.Foreign, a.Allowed, lab.AllowedName(p), a.Forbidden, a.Learned, lab.LearnName(p))
}
