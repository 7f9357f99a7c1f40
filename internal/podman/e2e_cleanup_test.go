package podman_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/podman"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// TestPodmanFailedStartLeavesNothing: a start that fails late undoes itself,
// and Stop cleans up a start that was cut short before it could.
func TestPodmanFailedStartLeavesNothing(t *testing.T) {
	needPodman(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	h := host{t: t, ctx: ctx}
	const up, m = "rbmf-up", "rbmf"
	h.try("podman", "network", "rm", "-f", up)
	h.podman("network", "create", "--internal", "--disable-dns", "--subnet", "10.242.78.0/24", "--label", testLabel, up)
	t.Cleanup(func() {
		engine.Stop(context.Background(), podman.Runtime{}, runner.Exec{}, m, testWriter{t})
		h.detached().try("podman", "network", "rm", "-f", up)
	})
	cfg := resolve(t, "RBRN_MONIKER="+m, "RBRR_POD_SUBNET=10.242.77.0/24", "RBRR_SENTRY_IP=10.242.77.2",
		"RBRR_BOTTLE_IP=10.242.77.3", "RBRR_UPLINK_NETWORK="+up, "RBRR_SENTRY_IMAGE="+sentryImage,
		"RBRN_BOTTLE_IMAGE=localhost/rbm-no-such-image:none")

	err := engine.Start(ctx, podman.Runtime{}, runner.Exec{}, cfg, engine.Options{Out: testWriter{t}, HealthTimeout: time.Minute})
	if err == nil || !strings.Contains(err.Error(), "step 7 (bottle") {
		t.Fatalf("err = %v, want step 7 (the bottle's missing image) to fail", err)
	}
	assertNothingLabelled(h, m)

	steps, err := podman.Plan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps[:2] { // network and sentry, then "the machine died"
		if _, err := (runner.Exec{}).Run(ctx, s.Cmd); err != nil {
			t.Fatalf("%s: %v", s.Desc, err)
		}
	}
	if err := engine.Stop(ctx, podman.Runtime{}, runner.Exec{}, m, testWriter{t}); err != nil {
		t.Fatal(err)
	}
	assertNothingLabelled(h, m)
	if err := engine.Stop(ctx, podman.Runtime{}, runner.Exec{}, m, testWriter{t}); err != nil {
		t.Fatalf("second stop: %v", err)
	}
}

// assertNothingLabelled fails if any container, pod or network of the
// service is left.
func assertNothingLabelled(h host, moniker string) {
	h.t.Helper()
	f := "label=" + engine.LabelKey + "=" + moniker
	for _, args := range [][]string{
		{"ps", "-a", "--filter", f, "--format", "{{.Names}}"},
		{"pod", "ps", "--filter", f, "--format", "{{.Name}}"},
		{"network", "ls", "--filter", f, "--format", "{{.Name}}"},
	} {
		if left := h.podman(args...); left != "" {
			h.t.Errorf("left behind after stop (podman %s): %s", strings.Join(args, " "), left)
		}
	}
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
