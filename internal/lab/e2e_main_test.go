package lab_test

// End-to-end tests through the real lab: real namespaces, the real `rbm
// sentry` with iptables and dnsmasq, the stand-in internet, and probes run
// in the bottle with the bottle's privileges. They need root and skip
// otherwise. Every lab gets a random prefix and is torn down in t.Cleanup,
// failed or not; all traffic stays inside the lab's namespaces.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/backends"
	"github.com/recipe-bottle/rbm/internal/lab"
	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/standin"
)

// Probe timeouts: a probe expected to get through has time to spare; one
// expected to be dropped only waits long enough to be sure.
const (
	passTimeout = 3 * time.Second
	dropTimeout = time.Second
)

// labSlots bounds how many labs this package runs at once, whatever -parallel says.
var labSlots = make(chan struct{}, 3)

var (
	buildOnce sync.Once
	binDir    string
	rbmBin    string
	buildErr  error
	errNoGo   = errors.New("no go tool in PATH")
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(envHelper); mode != "" {
		os.Exit(helperMain(mode))
	}
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildRBM builds ./cmd/rbm once per test binary, into a directory the
// bottle's unprivileged user can reach (it runs the probes from there).
func buildRBM() (string, error) {
	buildOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			buildErr = errNoGo
			return
		}
		out, err := exec.Command(goTool, "env", "GOMOD").Output()
		gomod := strings.TrimSpace(string(out))
		if err != nil || gomod == "" || gomod == os.DevNull {
			buildErr = fmt.Errorf("go env GOMOD: %v (%q)", err, gomod)
			return
		}
		if binDir, err = os.MkdirTemp("", "rbm-e2e-"); err != nil {
			buildErr = err
			return
		}
		if err := os.Chmod(binDir, 0o755); err != nil {
			buildErr = err
			return
		}
		bin := filepath.Join(binDir, "rbm")
		cmd := exec.Command(goTool, "build", "-o", bin, "./cmd/rbm")
		cmd.Dir = filepath.Dir(gomod)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/rbm: %v\n%s", err, out)
			return
		}
		rbmBin = bin
	})
	return rbmBin, buildErr
}

// needLab skips t unless a lab can run here, and returns the rbm binary.
func needLab(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("e2e: needs root to create network namespaces")
	}
	for _, p := range []string{"ip", "iptables-save", "iptables-restore", "ip6tables-restore", "dnsmasq", "setpriv"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("e2e: needs %s in PATH", p)
		}
	}
	bin, err := buildRBM()
	if errors.Is(err, errNoGo) {
		t.Skip("e2e: needs the go tool to build rbm")
	}
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// testLab is one running lab owned by one test.
type testLab struct {
	rbm  string
	lab  *lab.Lab
	info *lab.Info
}

// randomPrefix is "e2e" and 6 random hex digits: valid, and unique enough
// that parallel tests and packages never share a lab.
func randomPrefix(t *testing.T) string {
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "e2e" + hex.EncodeToString(b)
}

// labConfig resolves the built-in example with env (env-file text) on top.
// envBackend, when set, runs every lab test on that firewall backend
// (scripts/test.sh runs the package a second time with nftables).
const envBackend = "RBM_TEST_FIREWALL_BACKEND"

func labConfig(t *testing.T, env string) *config.Config {
	t.Helper()
	layers := lab.Example()
	if be := os.Getenv(envBackend); be != "" {
		layers = append(layers, map[string]config.Setting{"RBRR_FIREWALL_BACKEND": {Value: be, Origin: envBackend}})
	}
	if env != "" {
		m, err := config.ParseEnvFile(t.Name(), env)
		if err != nil {
			t.Fatalf("test configuration: %v", err)
		}
		layers = append(layers, m)
	}
	cfg, _, err := config.Resolve(layers...)
	if err != nil {
		t.Fatalf("test configuration: %v", err)
	}
	return cfg
}

// startLab brings up a lab for the example configuration with env on top,
// and removes it when the test ends.
func startLab(t *testing.T, env string) *testLab {
	t.Helper()
	bin := needLab(t)
	cfg := labConfig(t, env)
	labSlots <- struct{}{}
	t.Cleanup(func() { <-labSlots })
	tl := &testLab{rbm: bin, lab: &lab.Lab{Prefix: randomPrefix(t), RBM: bin, Runner: runner.Exec{}}}
	t.Cleanup(func() { tl.down(t) }) // before Up: a half-built lab goes too
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	info, err := tl.lab.Up(ctx, cfg)
	if err != nil {
		t.Fatalf("lab up %s: %v", tl.lab.Prefix, err)
	}
	tl.info = info
	return tl
}

// down removes the lab and checks that its namespaces are gone; on failure
// it first shows the daemons' logs, which Down deletes.
func (tl *testLab) down(t *testing.T) {
	if t.Failed() {
		for _, name := range []string{"sentry.log", "wan.log"} {
			b, _ := os.ReadFile(filepath.Join(lab.StateDir(tl.lab.Prefix), name))
			t.Logf("--- %s of lab %s ---\n%s", name, tl.lab.Prefix, lastLines(string(b), 40))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tl.lab.Down(ctx); err != nil {
		t.Errorf("lab down %s: %v", tl.lab.Prefix, err)
	}
	if left := labNamespaces(t, tl.lab.Prefix); len(left) > 0 {
		t.Errorf("lab down %s left namespaces %v", tl.lab.Prefix, left)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// labNamespaces lists the existing namespaces named after prefix.
func labNamespaces(t *testing.T, prefix string) []string {
	t.Helper()
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		t.Errorf("ip netns list: %v", err)
		return nil
	}
	var found []string
	for _, line := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if strings.HasPrefix(name, prefix+"-") {
			found = append(found, name)
		}
	}
	return found
}

func (tl *testLab) ns(role string) string { return tl.info.Namespaces[role] }

// run runs argv with stdin and returns its standard output; the error
// carries standard error.
func run(ctx context.Context, stdin string, argv ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// probeBatch runs specs in the bottle namespace, parallel at a time (all at
// once when 0): as the bottle's user with no capabilities, or as root (raw
// packets need NET_RAW).
func (tl *testLab) probeBatch(ctx context.Context, asRoot bool, parallel int, specs []probe.Spec) ([]probe.Result, error) {
	if parallel <= 0 {
		parallel = len(specs)
	}
	argv := []string{tl.rbm, "probe", "batch", "--parallel", strconv.Itoa(parallel)}
	if asRoot {
		argv = append([]string{"ip", "netns", "exec", tl.ns(lab.Bottle)}, argv...)
	} else {
		var err error
		if argv, err = lab.ExecArgv(tl.info, lab.Bottle, argv); err != nil {
			return nil, err
		}
	}
	var total time.Duration
	for _, s := range specs {
		total += time.Duration(s.Timeout)
	}
	ctx, cancel := context.WithTimeout(ctx, total+15*time.Second)
	defer cancel()
	in, err := json.Marshal(specs)
	if err != nil {
		return nil, err
	}
	out, err := run(ctx, string(in), argv...)
	if err != nil {
		return nil, err
	}
	var res []probe.Result
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("probe batch output: %v\n%s", err, out)
	}
	if len(res) != len(specs) {
		return nil, fmt.Errorf("probe batch: %d results for %d specs", len(res), len(specs))
	}
	return res, nil
}

// probes is probeBatch for the test goroutine: failures to run are fatal.
func (tl *testLab) probes(t *testing.T, asRoot bool, specs ...probe.Spec) []probe.Result {
	t.Helper()
	res, err := tl.probeBatch(context.Background(), asRoot, 0, specs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// try runs one probe as the bottle and returns its result with the sentry's
// counters that moved while it ran.
func (tl *testLab) try(t *testing.T, s probe.Spec) (probe.Result, firewall.Snapshot) {
	t.Helper()
	before := tl.counters(t)
	r := tl.probes(t, false, s)[0]
	return r, tl.counters(t).Delta(before)
}

// counters reads the sentry's per-rule counters.
func (tl *testLab) counters(t *testing.T) firewall.Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fw, err := backends.New(tl.info.Firewall, runner.InNetns{Name: tl.ns(lab.Sentry), Inner: runner.Exec{}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := fw.Counters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// stats reads what reached the stand-in internet.
func (tl *testLab) stats(t *testing.T) standin.Stats {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := standin.FetchStats(ctx, tl.info.Stats)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sentryLog returns the sentry's log so far.
func (tl *testLab) sentryLog(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(lab.StateDir(tl.lab.Prefix), "sentry.log"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// procs lists the processes of a namespace whose command name is comm.
// sentryPIDs lists the sentry servers (`rbm sentry --regime ...`) in ns:
// short-lived rbm commands there (a readiness check, counters) also have
// the comm "rbm".
func sentryPIDs(t *testing.T, ns string) []int {
	t.Helper()
	var out []int
	for _, pid := range procs(t, ns, "rbm") {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		args := strings.Split(string(b), "\x00")
		if err == nil && len(args) > 2 && args[1] == "sentry" && strings.HasPrefix(args[2], "--") {
			out = append(out, pid)
		}
	}
	return out
}

func procs(t *testing.T, ns, comm string) []int {
	t.Helper()
	out, err := exec.Command("ip", "netns", "pids", ns).Output()
	if err != nil {
		t.Fatalf("ip netns pids %s: %v", ns, err)
	}
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err == nil && strings.TrimSpace(string(b)) == comm {
			pids = append(pids, pid)
		}
	}
	return pids
}

// Spec builders.

func tcpSpec(target string, timeout time.Duration) probe.Spec {
	return probe.Spec{Kind: probe.KindTCP, Target: target, Timeout: probe.Duration(timeout)}
}

func dnsSpec(server, name string, overTCP bool, timeout time.Duration) probe.Spec {
	return probe.Spec{Kind: probe.KindDNS, Server: server, Name: name, TCP: overTCP, Timeout: probe.Duration(timeout)}
}

func describe(r probe.Result) string {
	s := r.Spec
	what := string(s.Kind) + " " + s.Target + s.URL
	if s.Kind == probe.KindDNS {
		what = fmt.Sprintf("dns %s @%s", s.Name, s.Server)
		if s.TCP {
			what += " over tcp"
		}
	}
	return fmt.Sprintf("%s: %s %s %v (%s)", what, r.Outcome, r.Rcode, r.Answers, r.Detail)
}

// Assertions on counter deltas: rule ids are given without the "rbm:" prefix.

func wantMoved(t *testing.T, d firewall.Snapshot, what string, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if d.Rules["rbm:"+id].Packets == 0 {
			t.Errorf("%s: rule rbm:%s did not count a packet (moved: %v)", what, id, d.Moved())
		}
	}
}

func wantNotMoved(t *testing.T, d firewall.Snapshot, what string, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if c := d.Rules["rbm:"+id]; c.Packets != 0 {
			t.Errorf("%s: rule rbm:%s counted %d packets, want none (moved: %v)", what, id, c.Packets, d.Moved())
		}
	}
}

// wantAnswer checks a DNS result: answered with rcode and exactly addrs.
func wantAnswer(t *testing.T, r probe.Result, rcode string, addrs ...string) {
	t.Helper()
	if r.Outcome != probe.Answered || r.Rcode != rcode || strings.Join(r.Answers, " ") != strings.Join(addrs, " ") {
		t.Errorf("%s; want answered %s %v", describe(r), rcode, addrs)
	}
}

// wantBlocked checks that a probe did not get through, and, when set, how
// it was stopped.
func wantBlocked(t *testing.T, r probe.Result, how probe.Outcome) {
	t.Helper()
	if r.Outcome.OK() || how != "" && r.Outcome != how {
		want := "blocked"
		if how != "" {
			want = string(how)
		}
		t.Errorf("%s; want %s", describe(r), want)
	}
}

func wantConnected(t *testing.T, r probe.Result) {
	t.Helper()
	if r.Outcome != probe.Connected {
		t.Errorf("%s; want connected", describe(r))
	}
}
