package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// podmanTargetFlags name what a real deployment probes.
type podmanTargetFlags struct{}

func (f *podmanTargetFlags) register(cmd *cobra.Command) {}

func runVerifyPodman(cmd *cobra.Command, o verifyOpts) error {
	return fmt.Errorf("verify --moniker: not implemented yet")
}
