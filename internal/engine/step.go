package engine

import (
	"errors"
	"fmt"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Kind says how Start treats a step.
type Kind int

// Step kinds.
const (
	Create Kind = iota // runs once and creates what Undo removes
	Poll               // repeated until it succeeds, within a bounded time
	Action             // runs once; nothing to undo of its own
)

// Step is one command of a plan.
type Step struct {
	Desc string // one line for humans
	Kind Kind
	Cmd  runner.Cmd
	// Undo removes what Cmd created (tolerating its absence); its Name is
	// empty when there is nothing to remove.
	Undo runner.Cmd
	// Container is the container a Poll step waits for: while it fails,
	// Start gives up at once if that container stopped running.
	Container string
	// Network marks the step that creates the enclave network.
	Network bool
}

// String renders the plan for `rbm plan`: each step's description as a
// comment, then its command, ready to paste into a shell.
func String(steps []Step) string {
	out := ""
	for i, s := range steps {
		line := s.Cmd.String()
		if s.Kind == Poll {
			line = fmt.Sprintf("until %s; do sleep 2; done", line)
		}
		out += fmt.Sprintf("# %d. %s\n%s\n\n", i+1, s.Desc, line)
	}
	return out
}

// Plannable reports what the configuration lacks for a plan (config leaves
// these optional because the sentry itself does not need them).
func Plannable(cfg *config.Config) error {
	if cfg == nil {
		return errors.New("plan: no configuration")
	}
	var missing []error
	for _, v := range []struct{ name, value string }{
		{"RBRN_MONIKER", cfg.Moniker},
		{"RBRR_SENTRY_IMAGE", cfg.SentryImage},
		{"RBRN_BOTTLE_IMAGE", cfg.BottleImage},
		{"RBRR_UPLINK_NETWORK", cfg.UplinkNetwork},
	} {
		if v.value == "" {
			missing = append(missing, fmt.Errorf("%s is empty: expected a value (required to plan a bottle service)", v.name))
		}
	}
	return errors.Join(missing...)
}
