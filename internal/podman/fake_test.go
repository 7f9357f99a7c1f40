package podman

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// exitErr returns a real *exec.ExitError with the given status, as
// runner.Exec would wrap it.
func exitErr(t *testing.T, code int) error {
	t.Helper()
	err := exec.Command("sh", "-c", fmt.Sprintf("exit %d", code)).Run()
	if err == nil {
		t.Fatal("sh exited 0")
	}
	return &runner.ExitError{Err: err}
}

// scripted answers podman commands by the longest matching prefix of their
// command line; unmatched commands succeed with no output.
type scripted map[string]func() ([]byte, error)

func (s scripted) fake() *runner.Fake {
	return &runner.Fake{Respond: func(c runner.Cmd) ([]byte, error) {
		line, best := c.String(), ""
		for prefix := range s {
			if strings.HasPrefix(line, prefix) && len(prefix) > len(best) {
				best = prefix
			}
		}
		if best == "" {
			return nil, nil
		}
		return s[best]()
	}}
}

func out(s string) func() ([]byte, error) { return func() ([]byte, error) { return []byte(s), nil } }

func fail(err error) func() ([]byte, error) { return func() ([]byte, error) { return nil, err } }
