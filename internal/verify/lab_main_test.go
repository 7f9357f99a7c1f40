package verify_test

// Root tests run the battery against real labs: network namespaces, the
// real sentry (iptables, dnsmasq), the stand-in internet on documentation
// addresses, probes in the bottle as uid 1000. Each lab has its own random
// prefix and is torn down in t.Cleanup, failed or not; no packet leaves the
// lab's namespaces.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/lab"
	"github.com/recipe-bottle/rbm/internal/lab/labverify"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/verify"
)

// labSlots: at most two labs at once (two cores; a battery is mostly
// waiting on probe timeouts, but lab up and the sentry are not).
var labSlots = make(chan struct{}, 2)

var (
	rbmBin   string // built by TestMain when running as root
	buildErr error
)

func TestMain(m *testing.M) {
	var dir string
	if os.Geteuid() == 0 {
		dir, rbmBin, buildErr = buildRBM()
	}
	code := m.Run()
	if dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// buildRBM builds ./cmd/rbm into a fresh directory the bottle's
// unprivileged user can traverse: the probes run from there as uid 1000.
func buildRBM() (dir, bin string, err error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", "", fmt.Errorf("no go tool in PATH: %w", err)
	}
	out, err := exec.Command(goTool, "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", "", fmt.Errorf("go env GOMOD: %v (%q)", err, gomod)
	}
	if dir, err = os.MkdirTemp("", "rbm-verify-"); err != nil {
		return "", "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return dir, "", err
	}
	bin = filepath.Join(dir, "rbm")
	cmd := exec.Command(goTool, "build", "-o", bin, "./cmd/rbm")
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return dir, "", fmt.Errorf("go build ./cmd/rbm: %v\n%s", err, out)
	}
	return dir, bin, nil
}

// needLab skips t unless labs can run here.
func needLab(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("lab test: needs root to create network namespaces")
	}
	for _, tool := range []string{"ip", "iptables", "iptables-save", "iptables-restore", "ip6tables-restore", "dnsmasq", "setpriv"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("lab test: needs %s in PATH", tool)
		}
	}
	if buildErr != nil {
		t.Fatalf("lab test: building rbm: %v", buildErr)
	}
}

// testLab is one running lab owned by one test.
type testLab struct {
	lab  *lab.Lab
	info *lab.Info
}

func randomPrefix(t *testing.T) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "vt" + hex.EncodeToString(b) // 10 characters, lowercase
}

// labConfig is the built-in example with env (env-file text) on top.
func labConfig(t *testing.T, env string) *config.Config {
	t.Helper()
	layers := lab.Example()
	m, err := config.ParseEnvFile(t.Name(), env)
	if err != nil {
		t.Fatalf("test configuration: %v", err)
	}
	cfg, _, err := config.Resolve(append(layers, m)...)
	if err != nil {
		t.Fatalf("test configuration: %v", err)
	}
	return cfg
}

// startLab takes a lab slot, brings a lab up for env over the example, and
// removes it (then frees the slot) when the test ends, failed or not.
func startLab(t *testing.T, env string) *testLab {
	t.Helper()
	needLab(t)
	cfg := labConfig(t, env)
	labSlots <- struct{}{}
	t.Cleanup(func() { <-labSlots })
	tl := &testLab{lab: &lab.Lab{Prefix: randomPrefix(t), RBM: rbmBin, Runner: runner.Exec{}}}
	t.Cleanup(func() { tl.down(t) }) // registered before Up: a half-built lab goes too
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	info, err := tl.lab.Up(ctx, cfg)
	if err != nil {
		t.Fatalf("lab up %s: %v", tl.lab.Prefix, err)
	}
	tl.info = info
	t.Logf("lab %s up: egress=%s dns=%s intercept=%s entry=%t", tl.lab.Prefix, info.Policy.Egress, info.Policy.DNS, info.Policy.Intercept, info.Policy.Entry != nil)
	return tl
}

func (tl *testLab) down(t *testing.T) {
	if t.Failed() {
		b, _ := os.ReadFile(filepath.Join(lab.StateDir(tl.lab.Prefix), "sentry.log"))
		if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); len(lines) > 30 {
			b = []byte(strings.Join(lines[len(lines)-30:], "\n"))
		}
		t.Logf("--- sentry.log of lab %s ---\n%s", tl.lab.Prefix, b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tl.lab.Down(ctx); err != nil {
		t.Errorf("lab down %s: %v", tl.lab.Prefix, err)
	}
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		t.Errorf("ip netns list: %v", err)
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, tl.lab.Prefix+"-") {
			t.Errorf("lab down %s left namespace %s", tl.lab.Prefix, line)
		}
	}
}

// battery runs every case against the lab and logs the report.
func (tl *testLab) battery(t *testing.T, hostile bool) []verify.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	b := labverify.Backend{Info: tl.info, Runner: runner.Exec{}, Hostile: hostile}
	start := time.Now()
	rs, err := verify.Run(ctx, b, verify.Cases(labverify.Target(tl.info, hostile)), nil)
	var buf bytes.Buffer
	verify.Print(&buf, rs)
	t.Logf("battery on %s (hostile=%t) in %s:\n%s", tl.lab.Prefix, hostile, time.Since(start).Round(time.Second), buf.String())
	if err != nil {
		t.Fatalf("battery on %s: %v", tl.lab.Prefix, err)
	}
	return rs
}

// sentry runs argv in the lab's sentry namespace.
func (tl *testLab) sentry(t *testing.T, argv ...string) {
	t.Helper()
	args := append([]string{"netns", "exec", tl.info.Namespaces[lab.Sentry]}, argv...)
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func verdicts(rs []verify.Result) map[string]verify.Result {
	m := map[string]verify.Result{}
	for _, r := range rs {
		m[r.Case.Name] = r
	}
	return m
}
