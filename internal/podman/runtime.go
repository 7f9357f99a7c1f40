package podman

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/enginehost"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Runtime is Podman behind engine.Runtime.
type Runtime struct {
	// Rootless plans for rootless Podman: the invoking user is the
	// bottle's user in the pod's user namespace (podStep).
	Rootless bool
}

var _ engine.Runtime = Runtime{}

// CLI implements engine.Runtime.
func (Runtime) CLI() string { return "podman" }

// Name implements engine.Runtime.
func (Runtime) Name() string { return "Podman" }

// OnHost implements engine.HostPlanner: rootless or not, as Podman runs.
func (Runtime) OnHost(h enginehost.Host) engine.Runtime { return Runtime{Rootless: h.Rootless} }

// Inspect implements engine.Runtime.
func (Runtime) Inspect(names ...string) runner.Cmd {
	return podman(append([]string{"container", "inspect", "--format", "json"}, names...)...)
}

// Networks implements engine.Runtime.
func (Runtime) Networks(ctx context.Context, r runner.Runner) ([]engine.Network, error) {
	return Networks(ctx, r)
}

// RemoveNow implements engine.Runtime.
func (Runtime) RemoveNow(name string) runner.Cmd { return podman("rm", "-f", "-t", "0", name) }

// AmbientCaps implements engine.Runtime: Podman 4.3 raises them.
func (Runtime) AmbientCaps() bool { return true }

// Join implements engine.Runtime: a container of the bottle's pod shares
// its network namespace.
func (Runtime) Join(n engine.Names) []string { return []string{"--pod", n.Pod} }

// Containers implements engine.Runtime: the labelled ones and the pod's
// infra container, unlabelled on some Podman versions.
func (Runtime) Containers(ctx context.Context, r runner.Runner, n engine.Names) ([]string, error) {
	names, err := lines(ctx, r, "ps", "-a", "--filter", "label="+n.Label(), "--format", "{{.Names}}")
	if err != nil || len(names) == 0 {
		return nil, err
	}
	if infra, err := lines(ctx, r, "pod", "ps", "--filter", "name=^"+n.Pod+"$", "--format", "{{.InfraId}}"); err == nil {
		names = append(names, infra...)
	}
	return names, nil
}

// Monikers implements engine.Runtime.
func (Runtime) Monikers(ctx context.Context, r runner.Runner) ([]string, error) {
	out, err := r.Run(ctx, podman("ps", "-a", "--filter", "label="+engine.LabelKey, "--format", "json"))
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	var ps []struct {
		Labels map[string]string `json:"Labels"`
	}
	if err := json.Unmarshal(out, &ps); err != nil {
		return nil, fmt.Errorf("parse podman ps: %w", err)
	}
	var monikers []string
	for _, c := range ps {
		if m := c.Labels[engine.LabelKey]; m != "" {
			monikers = append(monikers, m)
		}
	}
	nets, err := Networks(ctx, r)
	if err != nil {
		return nil, err
	}
	for _, x := range nets {
		if m := x.Labels[engine.LabelKey]; m != "" && !slices.Contains(monikers, m) {
			monikers = append(monikers, m)
		}
	}
	return monikers, nil
}

// Remove implements engine.Runtime: the pod goes first (with it the
// bottle), then the other containers, then the networks.
func (rt Runtime) Remove(ctx context.Context, r runner.Runner, n engine.Names, out io.Writer) (int, error) {
	filter := "label=" + n.Label()
	removed := 0
	var errs []error
	for _, kind := range []struct {
		list, remove []string
	}{
		{[]string{"pod", "ps", "--filter", filter, "--format", "{{.Name}}"}, []string{"pod", "rm", "-f", "--ignore", "-t", stopSeconds}},
		{[]string{"ps", "-a", "--filter", filter, "--format", "{{.Names}}"}, []string{"rm", "-f", "--ignore", "-t", stopSeconds}},
		{[]string{"network", "ls", "--filter", filter, "--format", "{{.Name}}"}, []string{"network", "rm", "-f"}},
	} {
		k, err := engine.RemoveListed(ctx, rt, r, kind.list, kind.remove, out)
		removed += k
		if err != nil {
			errs = append(errs, err)
		}
	}
	return removed, errors.Join(errs...)
}

// Host implements engine.Runtime.
func (Runtime) Host(ctx context.Context, r runner.Runner) (enginehost.Host, error) {
	out, err := r.Run(ctx, podman("info", "--format", "json"))
	if err != nil {
		return enginehost.Host{}, fmt.Errorf("podman info: %w", err)
	}
	return enginehost.ParsePodman(out)
}
