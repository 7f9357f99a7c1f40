package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
)

// linuxOnly marks a command that works only inside a Linux network
// namespace (the sentry, the bottle's pod, the lab): see refuseOff.
func linuxOnly(cmd *cobra.Command) *cobra.Command { return refuseOff(cmd, runtime.GOOS) }

// refuseOff returns cmd as it is on Linux. On any other goos cmd and every
// command under it refuse to run, in one line and with a non-zero exit;
// their help still shows. The refusal comes before argument and
// required-flag checks, so it is the only error the user sees.
func refuseOff(cmd *cobra.Command, goos string) *cobra.Command {
	if goos == "linux" {
		return cmd
	}
	cmd.Args = cobra.ArbitraryArgs
	cmd.PreRun = nil
	cmd.PreRunE = func(c *cobra.Command, _ []string) error {
		return fmt.Errorf("%s runs on Linux only (inside the containers rbm starts, or as root on a Linux host), not on %s",
			c.CommandPath(), goos)
	}
	for _, sub := range cmd.Commands() {
		refuseOff(sub, goos)
	}
	return cmd
}
