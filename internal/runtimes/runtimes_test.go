package runtimes

import (
	"context"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// TestForMonikerNamed: a named runtime is that one, asking no runtime
// what it holds; a wrong name is an error naming RBRR_RUNTIME and the value.
func TestForMonikerNamed(t *testing.T) {
	for _, name := range []string{"podman", "docker"} {
		f := &runner.Fake{}
		rt, err := ForMoniker(context.Background(), f, "mk", name)
		if err != nil || rt.CLI() != name || len(f.Commands()) != 0 {
			t.Errorf("ForMoniker(%q) = %v, %v after %q", name, rt, err, f.Commands())
		}
	}
	_, err := ForMoniker(context.Background(), &runner.Fake{}, "mk", "lxc")
	if err == nil || !strings.Contains(err.Error(), `RBRR_RUNTIME="lxc"`) {
		t.Errorf("ForMoniker(lxc) error = %v, want one naming RBRR_RUNTIME and the value", err)
	}
}
