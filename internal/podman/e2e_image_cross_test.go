package podman_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPodmanImageBuildCrossBuilt: rbm image build run as a Mac runs it
// (RBM_TEST_IMAGE_GOOS=darwin: the running rbm is not a Linux one) builds
// a Linux rbm for the engine's architecture from the source tree with the
// local Go toolchain, and the image it makes works.
func TestPodmanImageBuildCrossBuilt(t *testing.T) {
	needPodman(t)
	if rootless {
		t.Skip("rootless run: the image build is the root run's (it needs a Go toolchain of this user)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	h := host{t: t, ctx: ctx}
	bin := filepath.Join(t.TempDir(), "rbm")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/rbm")
	build.Dir, build.Env = repoRoot(t), append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const tag = "localhost/rbm-sentry:imagetest-cross"
	t.Cleanup(func() { exec.Command("podman", "rmi", "-f", tag).Run() })
	run := exec.CommandContext(ctx, bin, "image", "build", "--tag", tag, "--base", "localhost/rbm-base:bookworm")
	run.Dir, run.Env = repoRoot(t), append(os.Environ(), "RBM_TEST_IMAGE_GOOS=darwin")
	out, err := run.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "rbm-linux-") || !strings.Contains(string(out), "built "+tag) {
		t.Fatalf("rbm image build (as on a Mac): %v\n%s", err, out)
	}
	if got := h.podman("run", "--rm", "--network", "none", tag, "version"); !strings.Contains(got, "rbm") {
		t.Errorf("the built image's rbm version: %q", got)
	}
}
