package podman_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Images the real tests use; scripts/build-images.sh builds them. The
// same variables it reads name other tags, so a run can use its own images
// (RBRR_SENTRY_IMAGE=localhost/rbm-sentry:mine RBM_BOTTLE_IMAGE=...).
var (
	sentryImage = imageFromEnv("RBRR_SENTRY_IMAGE", "localhost/rbm-sentry:dev")
	bottleImage = imageFromEnv("RBM_BOTTLE_IMAGE", "localhost/rbm-bottle:dev")
)

// imageFromEnv is $name when it looks like a local image reference, else
// def: the value ends up on podman's command line.
func imageFromEnv(name, def string) string {
	v := os.Getenv(name)
	if v == "" || strings.HasPrefix(v, "-") || strings.ContainsAny(v, " \t\n") {
		return def
	}
	return v
}

// rootless is a run of these tests by a non-root user with rootless
// Podman: RBM_TEST_ROOTLESS=1, set by scripts/test.sh for its dedicated
// user (scripts/rootless-setup.sh). The images are that user's own copies.
var rootless = os.Geteuid() != 0 && os.Getenv("RBM_TEST_ROOTLESS") == "1"

// needPodman skips unless the test can drive rootful Podman (or rootless,
// see rootless), and builds the images when they are missing as root
// (build-images.sh reuses what it can).
func needPodman(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("real Podman test skipped in -short mode")
	}
	if os.Geteuid() != 0 && !rootless {
		t.Skip("needs root: rootful Podman (CI runs it as root, and rootless as a dedicated user with RBM_TEST_ROOTLESS=1)")
	}
	if _, err := exec.LookPath("podman"); err != nil {
		t.Skip("needs podman (scripts/podman-setup.sh installs it)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for _, img := range []string{sentryImage, bottleImage} {
		if _, err := (runner.Exec{}).Run(ctx, runner.Cmd{Name: "podman", Args: []string{"image", "exists", img}}); err != nil {
			if rootless {
				t.Fatalf("%s missing in this user's store: scripts/rootless-setup.sh copies it", img)
			}
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

// connectInRootlessNetns connects to addr from rootless Podman's network
// namespace, where a rootless user's container networks live: from the
// host the address is not there at all, and a packet to it would follow
// the host's default route off the machine.
func connectInRootlessNetns(s *service, addr string) {
	s.t.Helper()
	bin := os.Getenv("RBM_TEST_RBM")
	if bin == "" {
		s.t.Fatal("rootless run without RBM_TEST_RBM: no rbm to probe with inside the rootless network namespace")
	}
	spec := `[{"kind":"tcp","target":"` + addr + `","timeout":"3s"}]`
	deadline := time.Now().Add(15 * time.Second)
	for {
		out, err := (runner.Exec{}).Run(s.ctx, runner.Cmd{Name: "podman", Args: []string{"unshare", "--rootless-netns", bin, "probe", "batch"}, Stdin: spec})
		var res []probe.Result
		if err == nil && json.Unmarshal(out, &res) == nil && len(res) == 1 && res[0].Outcome == probe.Connected {
			s.t.Logf("entry port %s from the rootless network namespace: %s", addr, res[0].Detail)
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("entry port %s from the rootless network namespace: %s %v", addr, out, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
