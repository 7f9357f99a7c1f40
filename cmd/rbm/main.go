// Command rbm runs a less-trusted bottle container behind a filtering sentry.
// It is both the sentry's entrypoint and the host-side tool. This package only
// wires the command line; the work lives in internal/.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// exitError carries a specific exit status (2 for invalid configuration).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func main() {
	root := newRootCmd()
	if err := root.Execute(); err != nil {
		var ee *exitError
		if errors.As(err, &ee) && ee.err == nil {
			os.Exit(ee.code) // a command's own status (rbm shell): it said why itself
		}
		fmt.Fprintln(os.Stderr, "rbm:", err)
		if ee != nil {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:     "rbm",
		Example: "  sudo rbm demo\n  rbm render --regime examples/regime.env --nameplate examples/allowlist.env\n  rbm start --regime examples/regime.env --nameplate examples/allowlist.env",
		Short:   "Run a less-trusted bottle container behind a filtering sentry",
		Long: `rbm lets a less-trusted container (the bottle) use the network only through a
trusted sentry that filters everything it does: default deny, allowed CIDRs,
DNS answered only for allowed domains, and an optional entry port.

rbm is both the sentry's entrypoint (rbm sentry) and the host-side tool.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(commands()...)
	return root
}
