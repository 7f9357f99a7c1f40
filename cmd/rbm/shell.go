package main

import (
	"errors"
	"os"

	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
)

func newShellCmd() *cobra.Command {
	var moniker string
	cmd := &cobra.Command{
		Use:   "shell --moniker M [bottle|sentry] [-- CMD...]",
		Short: "A shell or a command in the bottle (its user, no capabilities) or the sentry",
		Long: `Runs CMD (default: /bin/sh) in the running bottle container, as the
bottle's user with no added capabilities, or with "sentry" in the sentry's
container (root, with the sentry's capabilities). A terminal is attached when
standard input is one. The exit status is CMD's.`,
		Example: `  rbm shell --moniker notebook
  rbm shell --moniker notebook sentry -- rbm counters
  rbm shell --moniker notebook -- id`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if moniker == "" {
				return &exitError{code: 2, err: errors.New("--moniker is required: the service to enter")}
			}
			which, rest := "bottle", args
			if n := cmd.ArgsLenAtDash(); n != 0 && len(args) > 0 {
				which, rest = args[0], args[1:]
			}
			if n := cmd.ArgsLenAtDash(); n > 1 {
				return &exitError{code: 2, err: errors.New("one word before --: bottle or sentry")}
			}
			if which != "bottle" && which != "sentry" {
				return &exitError{code: 2, err: errors.New("expected bottle or sentry, got " + which)}
			}
			tty := isTerminal(os.Stdin)
			rt, err := serviceRuntime(cmd.Context(), moniker)
			if err != nil {
				return err
			}
			c := engine.ShellCmd(rt, moniker, which == "sentry", tty, rest)
			c.In = os.Stdin
			proc, err := runner.Exec{}.Start(cmd.Context(), c, os.Stdout, os.Stderr)
			if err != nil {
				return err
			}
			if err := proc.Wait(); err != nil {
				var ee interface{ ExitCode() int }
				if errors.As(err, &ee) {
					return &exitError{code: ee.ExitCode(), err: nil}
				}
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&moniker, "moniker", "", "the running bottle service")
	return cmd
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), ioctlReadTermios)
	return err == nil
}
