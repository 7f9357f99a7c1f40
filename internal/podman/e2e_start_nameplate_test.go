package podman_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/runtest"
)

// TestPodmanStartNameplateAlone: `rbm start --nameplate FILE` with no regime
// file (the subnet chosen, the resolver the stand-in given in the
// environment) starts a bottle that runs RBRN_BOTTLE_COMMAND in
// RBRN_BOTTLE_WORKDIR, with RBRN_BOTTLE_VOLUMES mounted and the host's value
// of each RBRN_BOTTLE_ENV name, and resolves the allowed name through its
// sentry; the value stays out of the sentry's inspect and every command
// line; `rbm stop` leaves nothing.
func TestPodmanStartNameplateAlone(t *testing.T) {
	ctx, h, bin := runWorld(t, 6*time.Minute)
	const m = "run-nameplate" // removeRuns clears it if the test fails midway
	dir := t.TempDir()
	os.Chmod(dir, 0o777) // the bottle's user is not root
	nameplate := filepath.Join(dir, "bottle.env")
	err := os.WriteFile(nameplate, []byte(strings.Join([]string{
		"RBRN_MONIKER=" + m,
		"RBRN_BOTTLE_IMAGE=" + envOr("RBM_BOTTLE_IMAGE", bottleImage),
		"RBRN_UPLINK_ACCESS_ENABLED=true",
		"RBRN_UPLINK_DNS_ENABLED=true",
		"RBRN_UPLINK_ALLOWED_DOMAINS=allowed.test",
		`RBRN_BOTTLE_COMMAND=["sh", "-c", "pwd > where; echo \"$RBM_NP_SECRET\" > env; getent hosts allowed.test > dns; sleep 300"]`,
		"RBRN_BOTTLE_VOLUMES=" + dir + ":/mnt/work",
		"RBRN_BOTTLE_WORKDIR=/mnt/work",
		"RBRN_BOTTLE_ENV=RBM_NP_SECRET",
	}, "\n")+"\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), append(runEnv(), "RBM_NP_SECRET="+runSecret)...)
	start := exec.CommandContext(ctx, bin, "start", "--nameplate", nameplate)
	start.Env = env
	out, err := start.CombinedOutput()
	t.Cleanup(func() {
		stop := exec.Command(bin, "stop", "--moniker", m)
		stop.Env = env
		stop.Run()
	})
	if err != nil {
		t.Fatalf("rbm start: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "enclave:") || !strings.Contains(string(out), "(chosen") {
		t.Errorf("rbm start did not say it chose the enclave:\n%s", out)
	}

	files := map[string]string{}
	for end := time.Now().Add(time.Minute); time.Now().Before(end) && len(files) < 3; time.Sleep(500 * time.Millisecond) {
		for _, f := range []string{"where", "env", "dns"} {
			if b, err := os.ReadFile(filepath.Join(dir, f)); err == nil && len(b) > 0 {
				files[f] = strings.TrimSpace(string(b))
			}
		}
	}
	if files["where"] != "/mnt/work" {
		t.Errorf("the command ran in %q, want RBRN_BOTTLE_WORKDIR /mnt/work (files %q)", files["where"], files)
	}
	if files["env"] != runSecret {
		t.Errorf("RBM_NP_SECRET in the bottle = %q, want the host's value", files["env"])
	}
	if !strings.Contains(files["dns"], "allowed.test") {
		t.Errorf("allowed.test did not resolve through the sentry: %q", files["dns"])
	}
	if strings.Contains(h.podman("inspect", m+"-sentry"), runSecret) {
		t.Error("the RBRN_BOTTLE_ENV value is in the sentry's inspect")
	}
	if runtest.OnCommandLine(runSecret) {
		t.Error("the RBRN_BOTTLE_ENV value is on a command line (/proc/*/cmdline)")
	}

	stop := exec.CommandContext(ctx, bin, "stop", "--moniker", m)
	stop.Env = env
	if out, err := stop.CombinedOutput(); err != nil {
		t.Fatalf("rbm stop: %v\n%s", err, out)
	}
	assertNothingLabelled(h, m)
}
