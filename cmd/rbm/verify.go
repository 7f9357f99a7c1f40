package main

import (
	"fmt"
	"os"

	"github.com/recipe-bottle/rbm/internal/lab/labverify"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/verify"
	"github.com/spf13/cobra"
)

func newVerifyCmd() *cobra.Command {
	var o verifyOpts
	cmd := &cobra.Command{
		Use:   "verify (--lab | --moniker M | --cases)",
		Short: "Run the containment battery from the bottle and judge every case",
		Long: `Reads the sentry's rule counters, runs each case from the bottle's network
namespace with the bottle's privileges (no capabilities), reads the counters
again, and prints one line per case: what was tried, what the policy says must
happen, what was observed, the verdict, and the rules whose counters moved.
The last case checks that the sentry's FORWARD chain saw the bottle's packets.

Verdicts: holds; BROKEN (containment failed); info (reported, e.g. what
happens to an exfiltration-shaped subdomain); could-not-run (neither: the
probe itself failed, or the success the case expects needs the sentry's
upstream or a route out of its uplink, and the sentry's kernel shows that
nothing could leave for it: no route there, or a next hop that never
answered ARP; e.g. an --internal uplink with nothing behind it). A drop
expected where nothing could leave still holds.

Exit status: 0 when every case holds (or is info); 1 when a case is BROKEN;
3 when none is BROKEN but a case could not run; 2 for bad usage.

--hostile gives the probes NET_RAW and NET_ADMIN: the sentry must hold even
against a bottle that was given capabilities.

--case PATTERN runs only the cases whose name matches (a glob; repeat it
for more): e.g. --case 'gate/*' after changing the name gate's settings. The
closing forward-chain case runs only when a pattern names it.

--cases prints the battery as a Markdown table for the built-in lab (the
README's), and runs nothing.`,
		Example: `  sudo rbm verify --lab
  sudo rbm verify --lab --hostile --json
  sudo rbm verify --lab --junit verify.xml
  sudo rbm verify --lab --case 'gate/*' --case dns/allowed-name
  sudo rbm verify --moniker notebook --foreign 8.8.8.8 --forbidden 1.1.1.1
  rbm verify --cases`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.cases {
				t, err := labverify.ExampleTarget()
				if err != nil {
					return err
				}
				_, err = fmt.Fprint(cmd.OutOrStdout(), verify.CaseTable(t))
				return err
			}
			if err := verify.CheckPatterns(o.only); err != nil {
				return &exitError{code: 2, err: err}
			}
			if o.moniker != "" {
				return runVerifyService(cmd, o)
			}
			if !o.lab {
				return &exitError{code: 2, err: fmt.Errorf("say where: --lab or --moniker M")}
			}
			return runVerifyLab(cmd, o)
		},
	}
	o.register(cmd)
	return cmd
}

type verifyOpts struct {
	sourceOpts
	hostile, asJSON bool
	cases           bool
	only            []string // --case patterns
	junit           string
	service         serviceTargetFlags
}

func (o *verifyOpts) register(cmd *cobra.Command) {
	o.sourceOpts.register(cmd)
	cmd.Flags().BoolVar(&o.hostile, "hostile", false, "run the probes with NET_RAW and NET_ADMIN")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&o.cases, "cases", false, "print the battery's cases as a Markdown table (the built-in lab's) and run nothing")
	cmd.Flags().StringArrayVar(&o.only, "case", nil, "run only the cases whose name matches this glob (repeatable), e.g. 'dns/*'")
	cmd.Flags().StringVar(&o.junit, "junit", "", "also write the results as JUnit XML to this file (one test case per case)")
	o.service.register(cmd)
}

func runVerifyLab(cmd *cobra.Command, o verifyOpts) error {
	info, err := o.labInfo()
	if err != nil {
		return err
	}
	b := labverify.Backend{Info: info, Runner: runner.Exec{}, Hostile: o.hostile}
	return runBattery(cmd, b, verify.Cases(labverify.Target(info, o.hostile)), o)
}

// runBattery runs the cases, prints them, and fails unless all hold.
func runBattery(cmd *cobra.Command, b verify.Backend, cases []verify.Case, o verifyOpts) error {
	sel, err := verify.Select(cases, o.only)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	results, err := verify.RunSelection(cmd.Context(), b, sel, nil)
	if err != nil {
		return err
	}
	if o.junit != "" {
		if err := writeJUnit(o.junit, results); err != nil {
			return err
		}
	}
	if o.asJSON {
		if err := verify.PrintJSON(cmd.OutOrStdout(), results); err != nil {
			return err
		}
	} else {
		verify.Print(cmd.OutOrStdout(), results)
	}
	return batteryStatus(results)
}

// Exit statuses of rbm verify beyond 0 and 2 (bad usage): a BROKEN case
// outweighs one that could not run, which says nothing about containment.
const (
	exitBroken = 1
	exitNotRun = 3
)

// batteryStatus is nil when every case held, else an error carrying the
// exit status that tells BROKEN from could-not-run.
func batteryStatus(rs []verify.Result) error {
	switch {
	case verify.AllHold(rs):
		return nil
	case verify.AnyBroken(rs):
		return &exitError{code: exitBroken, err: fmt.Errorf("containment does not hold: %s", verify.Summary(rs))}
	}
	return &exitError{code: exitNotRun, err: fmt.Errorf("some cases could not run (nothing is BROKEN): %s", verify.Summary(rs))}
}

func writeJUnit(path string, rs []verify.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--junit: %w", err)
	}
	if err := verify.WriteJUnit(f, "rbm verify", rs); err != nil {
		f.Close()
		return fmt.Errorf("--junit: %w", err)
	}
	return f.Close()
}
