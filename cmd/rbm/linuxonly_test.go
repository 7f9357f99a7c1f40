package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// runRefused runs args against a root holding newProbeCmd as rbm on goos
// would wire it.
func runRefused(t *testing.T, goos string, args ...string) (string, error) {
	t.Helper()
	root := &cobra.Command{Use: "rbm", SilenceUsage: true, SilenceErrors: true}
	root.AddCommand(refuseOff(newProbeCmd(), goos))
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestRefuseOffLinuxSaysWhereItRuns(t *testing.T) {
	// Missing --server and a wrong argument count: the refusal comes first.
	out, err := runRefused(t, "darwin", "probe", "dns", "a.test", "b.test")
	want := "rbm probe dns runs on Linux only (inside the containers rbm starts, or as root on a Linux host), not on darwin"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
	if out != "" {
		t.Errorf("output %q, want none (the one line is the error)", out)
	}
}

func TestRefuseOffLinuxKeepsHelp(t *testing.T) {
	out, err := runRefused(t, "darwin", "probe", "tcp", "--help")
	if err != nil || !strings.Contains(out, "Try a TCP handshake") {
		t.Fatalf("help: err %v, output %q", err, out)
	}
}

func TestRefuseOffOnLinuxChangesNothing(t *testing.T) {
	_, err := runRefused(t, "linux", "probe", "dns", "a.test")
	if err == nil || !strings.Contains(err.Error(), `"server" not set`) {
		t.Fatalf("error = %v, want the required-flag error of the command itself", err)
	}
}
