package podman_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// Images the real tests use; scripts/build-images.sh builds them.
const (
	sentryImage = "localhost/rbm-sentry:dev"
	bottleImage = "localhost/rbm-bottle:dev"
)

// needPodman skips unless the test can drive rootful Podman, and builds the
// images when they are missing (build-images.sh reuses what it can).
func needPodman(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("real Podman test skipped in -short mode")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root: rootful Podman (CI runs it as root)")
	}
	if _, err := exec.LookPath("podman"); err != nil {
		t.Skip("needs podman (scripts/podman-setup.sh installs it)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for _, img := range []string{sentryImage, bottleImage} {
		if _, err := (runner.Exec{}).Run(ctx, runner.Cmd{Name: "podman", Args: []string{"image", "exists", img}}); err != nil {
			buildImages(ctx, t)
			return
		}
	}
}

func buildImages(ctx context.Context, t *testing.T) {
	t.Helper()
	script := filepath.Join(repoRoot(t), "scripts", "build-images.sh")
	t.Logf("images missing: running %s", script)
	if out, err := exec.CommandContext(ctx, script).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// host runs podman (or another program) on the host with a bounded time.
type host struct {
	t   *testing.T
	ctx context.Context
}

func (h host) try(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(h.ctx, 2*time.Minute)
	defer cancel()
	out, err := (runner.Exec{}).Run(ctx, runner.Cmd{Name: name, Args: args})
	return strings.TrimSpace(string(out)), err
}

func (h host) must(name string, args ...string) string {
	h.t.Helper()
	out, err := h.try(name, args...)
	if err != nil {
		h.t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return out
}

func (h host) podman(args ...string) string { h.t.Helper(); return h.must("podman", args...) }

// detached is h with a context of its own, for t.Cleanup functions: they
// run after the test's deferred cancel.
func (h host) detached() host { return host{t: h.t, ctx: context.Background()} }
