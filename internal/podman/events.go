package podman

import (
	"fmt"
	"io"
	"time"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// EventsCmd reads the sentry's event history from inside its container:
// the events of the last since (0: all kept), and with follow new ones as
// they happen, until in (the command's standard input) closes.
func EventsCmd(moniker string, follow bool, since time.Duration, in io.Reader) runner.Cmd {
	sentry := NamesFor(moniker).Sentry
	args := []string{"exec", sentry, "rbm", "sentry", "events"}
	if follow { // stdin open while following: its end ends the reader inside
		args = []string{"exec", "-i", sentry, "rbm", "sentry", "events", "--follow", "--stdin-hangup"}
	}
	if since > 0 {
		args = append(args, "--since", fmt.Sprintf("%ds", max(int(since.Round(time.Second)/time.Second), 1)))
	}
	c := podman(args...)
	c.In = in
	return c
}

// CaptureCmd captures the bottle's packets inside the sentry's container
// (rbm sentry capture, pcap on its standard output).
func CaptureCmd(moniker string, limits []string) runner.Cmd {
	return podman(append([]string{"exec", NamesFor(moniker).Sentry, "rbm", "sentry", "capture"}, limits...)...)
}

// ShellCmd runs argv (default /bin/sh) in the bottle (its user, its
// capabilities: none) or the sentry, with a terminal when tty.
func ShellCmd(moniker string, sentry, tty bool, argv []string) runner.Cmd {
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
	return podman(append(append(args, target), argv...)...)
}
