package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/podman"
	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// PodmanBackend runs the battery against a Podman bottle service: probes in
// a throwaway container joined to the bottle's pod (same namespace, same
// user, no capabilities unless hostile), counters from the sentry.
type PodmanBackend struct {
	Runner runner.Runner
	Names  podman.Names
	probe  string // the probe container's name
}

// ServiceConfig reads the configuration the running sentry was started
// with (its environment), so verify judges against what is deployed.
func ServiceConfig(ctx context.Context, r runner.Runner, n podman.Names) (*config.Config, error) {
	out, err := r.Run(ctx, runner.Cmd{Name: "podman", Args: []string{"container", "inspect", "--format", "{{json .Config.Env}}", n.Sentry}})
	if err != nil {
		return nil, fmt.Errorf("inspect the sentry %s (is the service running? rbm status): %w", n.Sentry, err)
	}
	var env []string
	if err := json.Unmarshal(out, &env); err != nil {
		return nil, fmt.Errorf("read the sentry's environment: %w", err)
	}
	c, _, err := config.Load(nil, env)
	if err != nil {
		return nil, fmt.Errorf("the sentry's configuration: %w", err)
	}
	return c, nil
}

// StartPodmanBackend starts the probe container in the bottle's pod. Close
// removes it.
func StartPodmanBackend(ctx context.Context, r runner.Runner, cfg *config.Config, hostile bool) (*PodmanBackend, error) {
	n := podman.NamesFor(cfg.Moniker)
	b := &PodmanBackend{Runner: r, Names: n, probe: n.Moniker + "-verify"}
	uid := strconv.Itoa(cfg.BottleUID)
	args := []string{"run", "-d", "--rm", "--pull", "never", "--pod", n.Pod, "--name", b.probe, "--label", n.Label(),
		"--user", uid + ":" + uid, "--cap-drop", "ALL", "--security-opt", "no-new-privileges"}
	if hostile {
		args = append(args, "--cap-add", "NET_RAW", "--cap-add", "NET_ADMIN")
	}
	// The sentry image holds rbm; the probes need nothing from the bottle's.
	args = append(args, "--entrypoint", "sleep", cfg.SentryImage, "600")
	if _, err := r.Run(ctx, runner.Cmd{Name: "podman", Args: args}); err != nil {
		return nil, fmt.Errorf("start the probe container: %w", err)
	}
	return b, nil
}

// Close removes the probe container.
func (b *PodmanBackend) Close(ctx context.Context) error {
	_, err := b.Runner.Run(ctx, runner.Cmd{Name: "podman", Args: []string{"rm", "-f", "-t", "0", b.probe}})
	return err
}

// Probe runs one probe in the probe container.
func (b *PodmanBackend) Probe(ctx context.Context, s probe.Spec) (probe.Result, error) {
	return batchOne(ctx, b.Runner, runner.Cmd{Name: "podman", Args: []string{"exec", "-i", b.probe, "rbm", "probe", "batch"}}, s)
}

// Counters reads the sentry's counters through `rbm counters --json`.
func (b *PodmanBackend) Counters(ctx context.Context) (firewall.Snapshot, error) {
	out, err := b.Runner.Run(ctx, runner.Cmd{Name: "podman", Args: []string{"exec", b.Names.Sentry, "rbm", "counters", "--json"}})
	if err != nil {
		return firewall.Snapshot{}, fmt.Errorf("read the sentry's counters: %w", err)
	}
	var s firewall.Snapshot
	if err := json.Unmarshal(out, &s); err != nil {
		return s, fmt.Errorf("parse the sentry's counters: %w", err)
	}
	return s, nil
}

// ForeignQueries cannot be observed on a real deployment.
func (b *PodmanBackend) ForeignQueries(context.Context) (int, bool, error) { return 0, false, nil }
