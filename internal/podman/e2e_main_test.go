package podman_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/testns"
)

// TestMain fails the run if the real tests left any Podman object behind.
// The container tests of this machine run one package at a time
// (testns.LockHost).
func TestMain(m *testing.M) { os.Exit(testns.MainLocked(m, "Podman", leftovers)) }

func leftovers() string {
	if _, err := exec.LookPath("podman"); err != nil || os.Geteuid() != 0 && !rootless {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var left []string
	for _, f := range []string{"label=" + testLabel, "label=rbm.moniker=" + moniker, "label=rbm.moniker=rbmf"} {
		for _, args := range [][]string{
			{"ps", "-a", "--filter", f, "--format", "container {{.Names}}"},
			{"pod", "ps", "--filter", f, "--format", "pod {{.Name}}"},
			{"network", "ls", "--filter", f, "--format", "network {{.Name}}"},
		} {
			out, _ := (runner.Exec{}).Run(ctx, runner.Cmd{Name: "podman", Args: args})
			if s := strings.TrimSpace(string(out)); s != "" {
				left = append(left, s)
			}
		}
	}
	return strings.Join(left, "\n")
}
