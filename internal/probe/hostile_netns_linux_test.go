package probe

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/probe/nstest"
)

// envHelper makes TestProbeHelper act as `rbm probe batch`.
const envHelper = "RBMT_PROBE_HELPER"

// Capability sets for setpriv, after --reuid/--regid/--clear-groups. The
// bottle's uid keeps a capability across execve only as an ambient one,
// which must also be inheritable and in the bounding set: setpriv drops
// an ambient capability that is not inheritable without a word.
var (
	hostileCaps = []string{"--inh-caps=-all,+net_raw,+net_admin",
		"--ambient-caps=-all,+net_raw,+net_admin", "--bounding-set=-all,+net_raw,+net_admin"}
	bottleCaps = []string{"--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all"}
)

// helperReport is what TestProbeHelper prints: who it ran as, and results.
type helperReport struct {
	UID     int      `json:"uid"`
	CapEff  string   `json:"cap_eff"`
	Results []Result `json:"results"`
}

// TestProbeHelper is not a test: run with envHelper set, it reads specs
// on stdin and prints a helperReport on stdout, as `rbm probe batch`
// would print the results.
func TestProbeHelper(t *testing.T) {
	if os.Getenv(envHelper) == "" {
		t.Skip("helper process for TestHostileCaps")
	}
	var specs []Spec
	if err := json.NewDecoder(os.Stdin).Decode(&specs); err != nil {
		t.Fatal(err)
	}
	rep := helperReport{UID: os.Getuid(), CapEff: capEff(t), Results: RunBatch(context.Background(), specs, 1)}
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
		t.Fatal(err)
	}
}

// capEff returns the CapEff line of /proc/self/status.
func capEff(t *testing.T) string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if v, ok := strings.CutPrefix(sc.Text(), "CapEff:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// TestHostileCaps runs probes as the bottle's uid through setpriv, once
// with only NET_RAW and NET_ADMIN (the verifier's hostile mode) and once
// with no capabilities (the bottle): the first must get through, the
// second must be denied.
func TestHostileCaps(t *testing.T) {
	if !nstest.Enter(t, nstest.Options{}) {
		return
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("needs setpriv (util-linux)")
	}
	bin := nstest.WorldReadableBinary(t)
	addr, from := udpServer(t, false)
	specs := []Spec{
		{Kind: KindRawSpoof, Target: addr, Source: "192.0.2.7"},
		{Kind: KindRoute},
		{Kind: KindSysctl},
	}

	rep := setprivRun(t, hostileCaps, bin, specs)
	checkReport(t, "NET_RAW+NET_ADMIN", rep, "0000000000003000", Sent, Changed, Changed)
	select {
	case a := <-from:
		if ip := a.(*net.UDPAddr).IP.String(); ip != "192.0.2.7" {
			t.Errorf("NET_RAW+NET_ADMIN: spoofed datagram came from %s, want 192.0.2.7", ip)
		}
	case <-time.After(time.Second):
		t.Error("NET_RAW+NET_ADMIN: the spoofed datagram never arrived")
	}
	if table := routeTable(t); strings.Contains(table, DefaultRouteTarget) {
		t.Errorf("NET_RAW+NET_ADMIN: the route probe left its route behind:\n%s", table)
	}

	rep = setprivRun(t, bottleCaps, bin, specs)
	checkReport(t, "no capabilities", rep, "0000000000000000", Denied, Denied, Denied)
}

// checkReport checks who the helper ran as and its outcomes.
func checkReport(t *testing.T, name string, rep helperReport, capEff string, outcomes ...Outcome) {
	t.Helper()
	if rep.UID != 1000 || rep.CapEff != capEff {
		t.Errorf("%s: ran as uid %d with CapEff %s, want 1000 and %s", name, rep.UID, rep.CapEff, capEff)
	}
	if len(rep.Results) != len(outcomes) {
		t.Fatalf("%s: %d results for %d specs", name, len(rep.Results), len(outcomes))
	}
	for i, r := range rep.Results {
		t.Logf("%s: %s %s: %s (%s)", name, r.Spec.Kind, r.Spec.Target, r.Outcome, r.Detail)
		if r.Outcome != outcomes[i] {
			t.Errorf("%s: %s: %s, want %s", name, r.Spec.Kind, r.Outcome, outcomes[i])
		}
	}
}

// setprivRun runs specs in TestProbeHelper of bin as uid and gid 1000
// with capability options caps, and returns its report.
func setprivRun(t *testing.T, caps []string, bin string, specs []Spec) helperReport {
	t.Helper()
	argv := append([]string{"--reuid=1000", "--regid=1000", "--clear-groups"}, caps...)
	argv = append(argv, "--no-new-privs", "--", bin, "-test.run=^TestProbeHelper$")
	in, err := json.Marshal(specs)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "setpriv", argv...)
	cmd.Dir = filepath.Dir(bin)
	cmd.Env = append(os.Environ(), envHelper+"=1")
	cmd.Stdin = strings.NewReader(string(in))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	t.Logf("setpriv %s", strings.Join(argv, " "))
	if err != nil {
		t.Fatalf("setpriv: %v\nstdout: %s\nstderr: %s", err, out, stderr.String())
	}
	var rep helperReport
	// The report comes first; the testing package's PASS follows it.
	if err := json.NewDecoder(strings.NewReader(string(out))).Decode(&rep); err != nil {
		t.Fatalf("helper output: %v\n%s", err, out)
	}
	return rep
}
