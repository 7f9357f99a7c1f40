package docker_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestDockerImageBuild: `rbm image build --runtime docker` builds the
// sentry image with docker from a static rbm, on the local base image
// (scripts/docker-setup.sh copies it), and the image runs rbm.
func TestDockerImageBuild(t *testing.T) {
	needDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	h := host{t: t, ctx: ctx}
	const base = "localhost/rbm-base:bookworm"
	if _, err := h.try("docker", "image", "inspect", base); err != nil {
		t.Fatalf("%s not in Docker (scripts/docker-setup.sh loads it)", base)
	}
	_, file, _, _ := runtime.Caller(0)
	bin := filepath.Join(t.TempDir(), "rbm")
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, "./cmd/rbm")
	build.Dir, build.Env = filepath.Join(filepath.Dir(file), "..", ".."), append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const tag = "localhost/rbm-sentry:dockertest"
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", tag).Run() })
	out, err := exec.CommandContext(ctx, bin, "image", "build", "--runtime", "docker", "--tag", tag, "--base", base).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "built "+tag) {
		t.Fatalf("rbm image build --runtime docker: %v\n%s", err, out)
	}
	if got := h.docker("run", "--rm", "--network", "none", tag, "version"); !strings.Contains(got, "rbm") {
		t.Errorf("the built image's rbm version: %q", got)
	}
	if got := h.docker("image", "inspect", "--format", `{{index .Config.Labels "rbm.image"}}`, tag); got != "sentry" {
		t.Errorf("label rbm.image = %q, want sentry", got)
	}
}
