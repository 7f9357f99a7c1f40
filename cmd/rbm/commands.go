package main

import "github.com/spf13/cobra"

// commands lists every top-level subcommand; each lives in its own file.
func commands() []*cobra.Command {
	return []*cobra.Command{
		newConfigCmd(),
		newRenderCmd(),
		newSentryCmd(),
		newCountersCmd(),
		newLabCmd(),
		newVerifyCmd(),
		newObserveCmd(),
		newReloadCmd(),
		newCaptureCmd(),
		newShellCmd(),
		newImageCmd(),
		newSuggestCmd(),
		newPresetsCmd(),
		newDemoCmd(),
		newProbeCmd(),
		newStandinCmd(),
		newPlanCmd(),
		newStartCmd(),
		newStopCmd(),
		newStatusCmd(),
		newNetinitCmd(),
		newVersionCmd(),
	}
}
