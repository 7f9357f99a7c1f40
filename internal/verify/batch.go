package verify

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// BatchOne runs `rbm probe batch` with one spec and returns its result.
func BatchOne(ctx context.Context, r runner.Runner, c runner.Cmd, s probe.Spec) (probe.Result, error) {
	in, err := json.Marshal([]probe.Spec{s})
	if err != nil {
		return probe.Result{}, err
	}
	c.Stdin = string(in)
	out, err := r.Run(ctx, c)
	if err != nil {
		return probe.Result{}, fmt.Errorf("run probe: %w", err)
	}
	var rs []probe.Result
	if err := json.Unmarshal(out, &rs); err != nil || len(rs) != 1 {
		return probe.Result{}, fmt.Errorf("probe output %q: %v", out, err)
	}
	return rs[0], nil
}
