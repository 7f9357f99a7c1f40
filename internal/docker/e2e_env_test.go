package docker_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/testns"
)

// Images the real tests use: scripts/build-images.sh builds them with
// Podman, scripts/docker-setup.sh copies them into Docker. The variables
// both scripts read name other tags, so a run can use its own images.
var (
	sentryImage = imageFromEnv("RBRR_SENTRY_IMAGE", "localhost/rbm-sentry:dev")
	bottleImage = imageFromEnv("RBM_BOTTLE_IMAGE", "localhost/rbm-bottle:dev")
)

const (
	testLabel = "rbm.test=docker-e2e"
	moniker   = "rbmd"
)

// imageFromEnv is $name when it looks like a local image reference, else
// def: the value ends up on docker's command line.
func imageFromEnv(name, def string) string {
	v := os.Getenv(name)
	if v == "" || strings.HasPrefix(v, "-") || strings.ContainsAny(v, " \t\n") {
		return def
	}
	return v
}

// TestMain takes the container-test lock of this network namespace (the
// Podman tests use the same documentation subnets; a daemon in a namespace
// of its own has its own lock) and fails the run if anything of the tests
// is left behind.
func TestMain(m *testing.M) { os.Exit(testns.MainLocked(m, "Docker", leftovers)) }

func dockerAnswers() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := (runner.Exec{}).Run(ctx, runner.Cmd{Name: "docker", Args: []string{"version", "--format", "{{.Server.Version}}"}})
	return err == nil
}

// needDocker skips unless a Docker daemon answers this root test with the
// test images loaded and its bridges in this test's network namespace.
// With RBM_TEST_REQUIRE_DOCKER=1 (scripts/test.sh as root) a missing
// daemon fails instead: CI must run these tests, not skip them.
func needDocker(t *testing.T) {
	t.Helper()
	switch {
	case testing.Short():
		t.Skip("real Docker test skipped in -short mode")
	case os.Geteuid() != 0:
		t.Skip("needs root: Docker's socket and host rules (CI runs it as root)")
	}
	skip := t.Skip
	if os.Getenv("RBM_TEST_REQUIRE_DOCKER") == "1" {
		skip = t.Fatal
	}
	if _, err := exec.LookPath("docker"); err != nil {
		skip("needs docker (scripts/docker-setup.sh installs and starts it)")
	}
	if !dockerAnswers() {
		skip("no Docker daemon answers (scripts/docker-setup.sh starts one)")
	}
	if br := daemonBridge(); br != "" {
		if _, err := net.InterfaceByName(br); err != nil {
			skip(fmt.Sprintf("the Docker daemon's bridge %s is in another network namespace: run these tests there (scripts/docker-setup.sh: nsenter --net=/run/netns/rbm-docker go test ./internal/docker)", br))
		}
	}
	for _, img := range []string{sentryImage, bottleImage} {
		if out, err := exec.Command("docker", "image", "inspect", "--format", "{{.Id}}", img).CombinedOutput(); err != nil {
			t.Fatalf("%s not in Docker (scripts/docker-setup.sh loads it): %s", img, out)
		}
	}
}

// daemonBridge names the interface of Docker's default network, "" when
// there is none: the tests' host rules and listeners must be beside it.
func daemonBridge() string {
	out, err := exec.Command("docker", "network", "inspect", "bridge", "--format", `{{index .Options "com.docker.network.bridge.name"}}`).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func leftovers() string {
	if os.Geteuid() != 0 || !dockerAnswers() {
		return ""
	}
	var left []string
	for _, f := range []string{"label=" + testLabel, "label=rbm.moniker=" + moniker} {
		for _, args := range [][]string{{"ps", "-a", "--filter", f, "--format", "container {{.Names}}"}, {"network", "ls", "--filter", f, "--format", "network {{.Name}}"}} {
			out, _ := exec.Command("docker", args...).Output()
			if s := strings.TrimSpace(string(out)); s != "" {
				left = append(left, s)
			}
		}
	}
	if out, _ := exec.Command("iptables", "-S", "DOCKER-USER").Output(); strings.Contains(string(out), "rbm") {
		left = append(left, "DOCKER-USER rules:\n"+string(out))
	}
	return strings.Join(left, "\n")
}

// host runs docker (or another program) on the host with a bounded time.
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

func (h host) docker(args ...string) string {
	h.t.Helper()
	out, err := h.try("docker", args...)
	if err != nil {
		h.t.Fatalf("docker %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func (h host) detached() host { return host{t: h.t, ctx: context.Background()} }
