// Package engine runs one bottle service on a container runtime: the half
// that does not depend on which runtime it is. Start runs a runtime's plan
// step by step and undoes it on failure; Stop, Inspect, List, Reload and
// the commands run inside the sentry work the same way on every runtime,
// through the small Runtime seam below. The podman and docker packages
// implement it; nothing here names either.
//
// Every command goes through one runner.Runner, so unit tests use
// runner.Fake and nothing else touches the system.
package engine

import (
	"context"
	"io"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/enginehost"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Runtime is what differs between container runtimes. Both CLIs share
// `exec`, `ps -a --filter label=... --format {{.Names}}` and `rm -f`, which
// this package uses directly with CLI as the program.
type Runtime interface {
	// CLI is the runtime's program ("podman", "docker"), also the word
	// rbm's messages use for it.
	CLI() string
	// Name is the runtime's proper name ("Podman", "Docker") for messages.
	Name() string
	// Plan returns the commands that build the service of cfg, in order.
	// It is pure.
	Plan(cfg *config.Config) ([]Step, error)
	// Inspect is the command printing a JSON array of the named
	// containers, in the shape ParseInspect reads.
	Inspect(names ...string) runner.Cmd
	// Containers names every container of the service: those labelled
	// with n.Label(), and any the runtime adds without the label.
	Containers(ctx context.Context, r runner.Runner, n Names) ([]string, error)
	// Monikers lists the monikers on the runtime's labelled containers and
	// networks (repeats allowed).
	Monikers(ctx context.Context, r runner.Runner) ([]string, error)
	// Networks lists the runtime's networks.
	Networks(ctx context.Context, r runner.Runner) ([]Network, error)
	// Remove removes every object labelled n.Label(), the bottle before
	// the sentry, printing each; missing objects are fine.
	Remove(ctx context.Context, r runner.Runner, n Names, out io.Writer) (removed int, err error)
	// RemoveNow is the command removing the named container at once,
	// without waiting for it to stop (verify's probe container).
	RemoveNow(name string) runner.Cmd
	// AmbientCaps reports whether a container run with a non-root --user
	// and --cap-add holds those capabilities in effect (Podman raises them
	// as ambient ones; Docker leaves them in the bounding set only).
	AmbientCaps() bool
	// Join are the `run` arguments that put a new container into the
	// bottle's network namespace (verify's probe container).
	Join(n Names) []string
	// Check runs the runtime's own preflight checks (version, mode,
	// images, its objects of this moniker); false stops the preflight.
	// The mode comes from the site's Host, read once per command.
	Check(ctx context.Context, r runner.Runner, cfg *config.Config, site *Site, rep *Report) bool
	// Host tells where the runtime runs its containers (this machine or a
	// VM), from its own info.
	Host(ctx context.Context, r runner.Runner) (enginehost.Host, error)
}

// HostPlanner is a runtime whose plan depends on how its engine runs:
// rootless Podman maps the invoking user into the bottle's pod.
type HostPlanner interface {
	// OnHost is the runtime planning for an engine running as h says.
	OnHost(h enginehost.Host) Runtime
}

// ForHost is rt planning for the engine h describes (a start's
// Site.Runtime); a runtime whose plan does not depend on it is itself.
func ForHost(rt Runtime, h enginehost.Host) Runtime {
	if hp, ok := rt.(HostPlanner); ok {
		return hp.OnHost(h)
	}
	return rt
}

// Cmd is a command of rt's CLI.
func Cmd(rt Runtime, args ...string) runner.Cmd { return runner.Cmd{Name: rt.CLI(), Args: args} }

// Exec is `exec [-i] CONTAINER ARGV...`, the same on every runtime.
func Exec(rt Runtime, container string, stdin bool, argv ...string) runner.Cmd {
	args := []string{"exec"}
	if stdin {
		args = append(args, "-i")
	}
	return Cmd(rt, append(append(args, container), argv...)...)
}
