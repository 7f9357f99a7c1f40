package podman

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// containerState is what waitHealthy reads of `podman container inspect`.
type containerState struct {
	State struct {
		Status   string `json:"Status"`
		ExitCode int    `json:"ExitCode"`
		Health   struct {
			Status string `json:"Status"`
			Log    []struct {
				Output string `json:"Output"`
			} `json:"Log"`
		} `json:"Health"`
	} `json:"State"`
}

// waitHealthy repeats check (`podman healthcheck run NAME`) until it
// succeeds, the container stops running, or o.HealthTimeout passes. The
// error carries the last health check output: `rbm sentry ready` says what
// is missing.
func waitHealthy(ctx context.Context, r runner.Runner, check runner.Cmd, o Options) error {
	name := check.Args[len(check.Args)-1]
	ctx, cancel := context.WithTimeout(ctx, o.HealthTimeout)
	defer cancel()
	for {
		if _, err := r.Run(ctx, check); err == nil {
			return nil
		}
		st, err := inspectState(ctx, r, name)
		if err == nil && st.State.Status != "running" {
			return fmt.Errorf("%s is %s (exit code %d), not running; see `podman logs %s`", name, st.State.Status, st.State.ExitCode, name)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not healthy after %s%s; see `podman logs %s`", name, o.HealthTimeout, lastHealth(st), name)
		case <-time.After(o.PollEvery):
		}
	}
}

func inspectState(ctx context.Context, r runner.Runner, name string) (containerState, error) {
	out, err := r.Run(ctx, podman("container", "inspect", "--format", "json", name))
	if err != nil {
		return containerState{}, fmt.Errorf("inspect %s: %w", name, err)
	}
	var states []containerState
	if err := json.Unmarshal(out, &states); err != nil || len(states) != 1 {
		return containerState{}, errors.Join(fmt.Errorf("parse inspect of %s", name), err)
	}
	return states[0], nil
}

func lastHealth(st containerState) string {
	l := st.State.Health.Log
	if len(l) == 0 {
		return ""
	}
	return " (last check: " + strings.TrimSpace(l[len(l)-1].Output) + ")"
}
