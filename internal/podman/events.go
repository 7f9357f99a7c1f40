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
	args := []string{"exec", NamesFor(moniker).Sentry, "rbm", "sentry", "events"}
	if follow {
		args = []string{"exec", "-i", NamesFor(moniker).Sentry, "rbm", "sentry", "events", "--follow", "--stdin-hangup"}
	}
	if since > 0 {
		args = append(args, "--since", fmt.Sprintf("%ds", max(int(since.Round(time.Second)/time.Second), 1)))
	}
	c := podman(args...)
	c.In = in
	return c
}
