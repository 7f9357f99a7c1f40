package docker_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/runtest"
)

// runSecret is an -e value taken from rbm's environment: it must reach
// the bottle and nothing else.
const runSecret = "s3cr3t-rbm-run-docker"

// TestDockerRun is the Podman package's TestPodmanRun under Docker: stdin
// piped, the command's output and exit status come back, an -e value (a
// bare name) is in the bottle and neither in any inspect nor on any command
// line, a name outside --allow is refused and named in the end summary,
// and nothing is left (containers, networks, host rules); then SIGTERM to
// rbm during a `sleep 60` in a run with its own enclave leaves nothing
// either.
func TestDockerRun(t *testing.T) {
	ctx, h, bin := runWorld(t, 8*time.Minute)
	auto := append(os.Environ(), append(runEnv(), "RBM_RUN_SECRET="+runSecret)...)
	env := append(auto[:len(auto):len(auto)], "RBRR_POD_SUBNET="+enclave, "RBRR_SENTRY_IP="+sentryIP, "RBRR_BOTTLE_IP="+bottleIP)

	w := dockerWorld(h, bin)
	work := t.TempDir()
	if err := os.Chmod(work, 0o777); err != nil { // the bottle's uid is not root's
		t.Fatal(err)
	}
	w.PipedRun(ctx, t, env, bottleImage, runSecret, work)
	// Rootful Docker: the file is the bottle's uid's (RBRR_BOTTLE_UID, 1000) on the host.
	if fi, err := os.Stat(filepath.Join(work, "by-bottle")); err != nil {
		t.Errorf("the file the bottle wrote in its mounted directory: %v", err)
	} else if st := fi.Sys().(*syscall.Stat_t); st.Uid != 1000 || st.Gid != 1000 {
		t.Errorf("by-bottle is owned by %d:%d on the host, want 1000:1000", st.Uid, st.Gid)
	}
	w.SignalledRun(ctx, t, auto, bottleImage)
}

// TestDockerRunTerminal is TestPodmanRunTerminal under Docker: typed lines
// reach a shell in the bottle with a terminal, Ctrl-C goes to the program
// in the bottle (the run goes on), `exit 5` ends rbm with 5 and nothing is
// left; a run whose command Ctrl-C ends stops with 130, nothing left.
func TestDockerRunTerminal(t *testing.T) {
	needDocker(t)
	runtest.NeedTmux(t)
	_, h, bin := runWorld(t, 8*time.Minute)

	dockerWorld(h, bin).TerminalRun(t, runEnv(), bottleImage, "echo tty=$(tty | cut -c1-8) sum=$((6*7)) $(getent hosts allowed.test)",
		`tty=/dev/pts sum=42 `+allowedIP)
}

// dockerWorld is what runtest's rbm run checks need of this package.
func dockerWorld(h host, bin string) runtest.World {
	return runtest.World{CLI: "docker", Bin: bin,
		Inspect: func(args ...string) string { return h.docker(append([]string{"inspect"}, args...)...) },
		Running: func(b *runtest.LockedBuffer) string { return waitRunning(h, b) },
		Left:    func(m string) { assertNothingLabelled(h, m) }}
}

// runWorld is what every rbm run test starts from, bounded by timeout:
// the stand-in internet, rbm built, and every run's service removed at the
// end whatever happened.
func runWorld(t *testing.T, timeout time.Duration) (context.Context, host, string) {
	needDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	h := host{t: t, ctx: ctx}
	standInInternet(h)
	bin := buildCLI(ctx, t)
	t.Cleanup(func() { removeRuns(h.detached()) })
	return ctx, h, bin
}

// runEnv is the environment of a run under Docker with no regime: its own
// enclave, the stand-in resolver (never the machine's), the stand-in
// world's uplink.
func runEnv() []string {
	return []string{"RBRR_RUNTIME=docker", "RBRR_POD_SUBNET=", "RBRR_SENTRY_IP=", "RBRR_BOTTLE_IP=",
		"RBRR_UPLINK_NETWORK=" + upNet, "RBRR_DNS_SERVER=" + resolverIP, "RBRR_SENTRY_IMAGE=" + sentryImage,
		"RBRN_DNS_REBIND_OK_DOMAINS=allowed.test"} // the stand-ins answer with documentation addresses
}

func buildCLI(ctx context.Context, t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	bin := filepath.Join(t.TempDir(), "rbm")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/rbm")
	build.Dir = filepath.Join(filepath.Dir(file), "..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// waitRunning waits until rbm run's bottle runs and returns its moniker.
func waitRunning(h host, stderr *runtest.LockedBuffer) string {
	h.t.Helper()
	return runtest.WaitRunning(h.t, stderr, func(m string) bool {
		out, _ := h.try("docker", "inspect", "--format", "{{.State.Running}}", m+"-bottle")
		return out == "true"
	})
}

// assertNothingLabelled: no container, network or host rule of the run.
func assertNothingLabelled(h host, m string) {
	h.t.Helper()
	f := "label=" + engine.LabelKey + "=" + m
	for _, args := range [][]string{{"ps", "-a", "--filter", f, "--format", "{{.Names}}"}, {"network", "ls", "--filter", f, "--format", "{{.Name}}"}} {
		if left := h.docker(args...); left != "" {
			h.t.Errorf("left behind after the run (docker %s): %s", strings.Join(args, " "), left)
		}
	}
	if rules, _ := h.try("iptables", "-S", "DOCKER-USER"); strings.Contains(rules, engine.LabelKey+"="+m) {
		h.t.Errorf("the run's host rule is left:\n%s", rules)
	}
}

// removeRuns removes every service rbm run left (the test failed midway).
func removeRuns(h host) {
	out, _ := h.try("docker", "ps", "-a", "--filter", "label="+engine.LabelKey, "--format", `{{index .Labels "`+engine.LabelKey+`"}}`)
	for _, m := range strings.Fields(out) {
		if strings.HasPrefix(m, "run-") {
			engine.Stop(h.ctx, rt, runner.Exec{}, m, nil)
		}
	}
}
