package podman_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/runtest"
)

// runSecret is an -e value taken from rbm's environment: it must reach
// the bottle and nothing else.
const runSecret = "s3cr3t-rbm-run-e2e"

// TestPodmanRun drives `rbm run` as a user would, stdin piped: the
// command's output and exit status come back, an -e value (bare name, the
// host's value) is in the bottle and neither in the sentry's inspect nor on
// any command line, a name outside --allow is refused and named in the end
// summary, and nothing of the service is left. Then SIGTERM to rbm during
// a `sleep 60` (a run with no regime: its own enclave) leaves nothing
// behind either.
func TestPodmanRun(t *testing.T) {
	ctx, h, bin := runWorld(t, 8*time.Minute)
	// The second run chooses its own enclave (no regime); the resolver is
	// always the stand-in, never the machine's.
	auto := append(os.Environ(), "RBM_RUN_SECRET="+runSecret, "RBRR_POD_SUBNET=", "RBRR_SENTRY_IP=", "RBRR_BOTTLE_IP=",
		"RBRR_UPLINK_NETWORK="+upNet, "RBRR_DNS_SERVER="+resolverIP,
		"RBRR_SENTRY_IMAGE="+envOr("RBRR_SENTRY_IMAGE", sentryImage))
	env := append(auto[:len(auto):len(auto)], "RBRR_POD_SUBNET=198.51.100.0/24", "RBRR_SENTRY_IP=198.51.100.2", "RBRR_BOTTLE_IP=198.51.100.3")
	image := envOr("RBM_BOTTLE_IMAGE", bottleImage)

	w := podmanWorld(h, bin)
	work := writableDir(t)
	w.PipedRun(ctx, t, env, image, runSecret, work)
	checkOwner(t, filepath.Join(work, "by-bottle"))
	w.SignalledRun(ctx, t, auto, image)
}

// podmanWorld is what runtest's rbm run checks need of this package.
func podmanWorld(h host, bin string) runtest.World {
	return runtest.World{CLI: "podman", Bin: bin,
		Inspect: func(args ...string) string { return h.podman(append([]string{"inspect"}, args...)...) },
		Running: func(b *runtest.LockedBuffer) string { return waitRunning(h, b) },
		Left:    func(m string) { assertNothingLabelled(h, m) }}
}

// runWorld is what every rbm run test starts from, bounded by timeout:
// the stand-in internet, rbm built, and every run's service removed at the
// end whatever happened.
func runWorld(t *testing.T, timeout time.Duration) (context.Context, host, string) {
	needPodman(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	h := host{t: t, ctx: ctx}
	standInInternet(h)
	waitStandins(h)
	bin := buildCLI(ctx, t)
	t.Cleanup(func() { removeRuns(h.detached()) })
	return ctx, h, bin
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// waitRunning waits until rbm run's bottle runs and returns its moniker,
// read from start's last line on rbm's stderr.
func waitRunning(h host, stderr *runtest.LockedBuffer) string {
	h.t.Helper()
	return runtest.WaitRunning(h.t, stderr, func(m string) bool {
		out, _ := h.try("podman", "inspect", "--format", "{{.State.Running}}", m+"-bottle")
		return strings.TrimSpace(out) == "true"
	})
}

// writableDir is a temporary directory the bottle can write in: this
// user's own under rootless Podman (the pod maps this user to the bottle's
// uid), everyone's under rootful Podman (the bottle's uid is not root's).
func writableDir(t *testing.T) string {
	dir := t.TempDir()
	if !rootless {
		if err := os.Chmod(dir, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// checkOwner: a file the bottle wrote in a mounted directory belongs, on
// the host, to the user who ran rbm under rootless Podman, and to the
// bottle's uid (RBRR_BOTTLE_UID, 1000) under rootful Podman
// (docs/podman.md, "Files the bottle writes").
func checkOwner(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Errorf("the file the bottle wrote in its mounted directory: %v", err)
		return
	}
	uid, gid := 1000, 1000
	if rootless {
		uid, gid = os.Getuid(), os.Getgid()
	}
	if st := fi.Sys().(*syscall.Stat_t); int(st.Uid) != uid || int(st.Gid) != gid {
		t.Errorf("%s is owned by %d:%d on the host, want %d:%d", path, st.Uid, st.Gid, uid, gid)
	}
}

// removeRuns removes every service rbm run left (the test failed midway).
func removeRuns(h host) {
	out, _ := h.try("podman", "ps", "-a", "--filter", "label=rbm.moniker", "--format", `{{index .Labels "rbm.moniker"}}`)
	for _, m := range strings.Fields(out) {
		if strings.HasPrefix(m, "run-") {
			h.try("podman", "pod", "rm", "-f", "--ignore", m+"-pod")
			h.try("podman", "rm", "-f", "--ignore", m+"-sentry")
			h.try("podman", "network", "rm", "-f", m+"-enclave")
		}
	}
}
