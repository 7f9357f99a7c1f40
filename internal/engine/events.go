package engine

import (
	"fmt"
	"io"
	"time"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// EventsCmd reads the sentry's event history from inside its container:
// the events of the last since (0: all kept), and with follow new ones as
// they happen, until in (the command's standard input) closes.
func EventsCmd(rt Runtime, moniker string, follow bool, since time.Duration, in io.Reader) runner.Cmd {
	sentry := NamesFor(moniker).Sentry
	args := []string{"rbm", "sentry", "events"}
	if follow { // stdin open while following: its end ends the reader inside
		args = append(args, "--follow", "--stdin-hangup")
	}
	if since > 0 {
		args = append(args, "--since", fmt.Sprintf("%ds", max(int(since.Round(time.Second)/time.Second), 1)))
	}
	c := Exec(rt, sentry, follow, args...)
	c.In = in
	return c
}

// CaptureCmd captures the bottle's packets inside the sentry's container
// (rbm sentry capture, pcap on its standard output).
func CaptureCmd(rt Runtime, moniker string, limits []string) runner.Cmd {
	return Exec(rt, NamesFor(moniker).Sentry, false, append([]string{"rbm", "sentry", "capture"}, limits...)...)
}

// ShellCmd runs argv (default /bin/sh) in the bottle (its user, its
// capabilities: none) or the sentry, with a terminal when tty.
func ShellCmd(rt Runtime, moniker string, sentry, tty bool, argv []string) runner.Cmd {
	n := NamesFor(moniker)
	args := []string{"exec", "-i"}
	if tty {
		args = append(args, "-t")
	}
	target := n.Bottle
	if sentry {
		target = n.Sentry
	}
	if len(argv) == 0 {
		argv = []string{"/bin/sh"}
	}
	return Cmd(rt, append(append(args, target), argv...)...)
}
