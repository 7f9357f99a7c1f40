package main

import "github.com/spf13/cobra"

// commands lists every top-level subcommand; each lives in its own file.
// linuxOnly marks those that need a Linux network namespace: on macOS they
// say so and exit non-zero.
func commands() []*cobra.Command {
	return []*cobra.Command{
		newConfigCmd(),
		newRenderCmd(),
		linuxOnly(newSentryCmd()),
		linuxOnly(newCountersCmd()),
		linuxOnly(newLabCmd()),
		newVerifyCmd(),
		newObserveCmd(),
		newReloadCmd(),
		newCaptureCmd(),
		newShellCmd(),
		newImageCmd(),
		newSuggestCmd(),
		newPresetsCmd(),
		linuxOnly(newDemoCmd()),
		linuxOnly(newProbeCmd()),
		linuxOnly(newStandinCmd()),
		newPlanCmd(),
		newStartCmd(),
		newRunCmd(),
		newStopCmd(),
		newStatusCmd(),
		linuxOnly(newNetinitCmd()),
		newVersionCmd(),
	}
}
