package podman_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/capture"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/probe"
)

// cli runs the rbm binary as a user would; it returns the combined output.
func cli(s *service, bin string, args ...string) (string, error) {
	out, err := exec.CommandContext(s.ctx, bin, args...).CombinedOutput()
	return string(out), err
}

// checkReload: rbm reload swaps the allowed CIDRs of the running service
// (one added opens, one removed closes), an invalid nameplate and a change
// that needs a restart change nothing, rbm status shows the reloaded
// configuration as live, and the bottle's processes run on throughout.
func checkReload(s *service, bin string) {
	t := s.t
	s.podman("exec", "-d", s.names.Bottle, "sleep", "600")
	started := s.podman("inspect", "--format", "{{.State.StartedAt}}", s.names.Bottle)
	sleeper := func() string {
		for _, l := range strings.Split(s.podman("top", s.names.Bottle, "pid", "args"), "\n") {
			if strings.HasSuffix(strings.TrimSpace(l), "sleep 600") {
				return strings.Fields(l)[0]
			}
		}
		return ""
	}
	pid := sleeper()
	if pid == "" {
		t.Fatal("the long-running process did not start in the bottle")
	}
	plate := func(name, body string) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	reachable := func(why string, open, closed string) {
		t.Helper()
		r := s.probe(tcp(open+":80"), tcp(closed+":80"))
		if r[0].Outcome != probe.Connected || r[1].Outcome.OK() {
			t.Errorf("%s: %s %s (want connected), %s %s (want closed)", why, open, r[0].Outcome, closed, r[1].Outcome)
		}
	}

	out, err := cli(s, bin, "reload", "--moniker", moniker, "--nameplate", plate("swap.env", "RBRN_UPLINK_ALLOWED_CIDRS="+otherIP+"/32\n"))
	t.Logf("rbm reload (swap the CIDR):\n%s", out)
	if err != nil || !strings.Contains(out, "applied") {
		t.Fatalf("rbm reload: %v", err)
	}
	reachable("after the reload", otherIP, allowedIP)

	out, err = cli(s, bin, "reload", "--moniker", moniker, "--nameplate", plate("bad.env", "RBRN_UPLINK_ALLOWED_CIDRS=203.0.113.300/32\n"))
	t.Logf("rbm reload (invalid):\n%s", out)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(out, "RBRN_UPLINK_ALLOWED_CIDRS") {
		t.Errorf("an invalid nameplate: %v, want exit 2 naming the variable", err)
	}
	out, err = cli(s, bin, "reload", "--moniker", moniker, "--nameplate", plate("fixed.env", "RBRR_BOTTLE_IP=198.51.100.9\n"))
	t.Logf("rbm reload (needs a restart):\n%s", out)
	if err == nil || !strings.Contains(out, "RBRR_BOTTLE_IP") || !strings.Contains(out, "restart") {
		t.Errorf("changing the bottle's address in place: %v, want a refusal that says to restart", err)
	}
	reachable("after the refused reloads", otherIP, allowedIP)

	if out := s.must(bin, "status", "--moniker", moniker); !strings.Contains(out, "configuration: reloaded") {
		t.Errorf("rbm status does not show the reloaded configuration as live:\n%s", out)
	}

	// The loop a user runs: a name is refused, rbm suggest proposes it,
	// the nameplate gains it, rbm reload applies it, the bottle reaches it.
	// (far.test's server is beyond the uplink: the sentry needs a route.)
	s.podman("exec", s.names.Sentry, "ip", "route", "replace", "default", "via", learnedNear)
	defer s.podman("exec", s.names.Sentry, "ip", "route", "del", "default")
	if r := s.probe(dns("198.51.100.2", "far.test"))[0]; r.Rcode != "NXDOMAIN" {
		t.Errorf("far.test before the reload: %s %v, want NXDOMAIN", r.Rcode, r.Answers)
	}
	if out := s.must(bin, "suggest", "--moniker", moniker); !strings.Contains(out, `RBRN_UPLINK_ALLOWED_DOMAINS='allowed.test far.test`) {
		t.Errorf("rbm suggest does not propose far.test:\n%s", out)
	}
	// The stand-in answers a documentation address: rebind-ok, as allowed.test.
	far := plate("far.env", "RBRN_UPLINK_ALLOWED_DOMAINS=allowed.test far.test\nRBRN_DNS_REBIND_OK_DOMAINS=allowed.test far.test\n")
	if out, err := cli(s, bin, "reload", "--moniker", moniker, "--nameplate", far); err != nil {
		t.Fatalf("rbm reload with far.test: %v\n%s", err, out)
	}
	r := s.probe(dns("198.51.100.2", "far.test"), tcp(learnedIP+":80"))
	if r[0].Rcode != "NOERROR" || r[1].Outcome != probe.Connected {
		t.Errorf("after allowing far.test: %s %v, connect %s: %s; want the answer and a connection", r[0].Rcode, r[0].Answers, learnedIP, r[1].Outcome)
	}

	if out, err := cli(s, bin, "reload", "--moniker", moniker, "--nameplate", plate("back.env", "RBRN_UPLINK_ALLOWED_CIDRS="+allowedIP+"/32\nRBRN_UPLINK_ALLOWED_DOMAINS=allowed.test\nRBRN_DNS_REBIND_OK_DOMAINS=allowed.test\n")); err != nil {
		t.Fatalf("rbm reload back: %v\n%s", err, out)
	}
	if r := s.probe(tcp(learnedIP + ":80"))[0]; r.Outcome.OK() {
		t.Errorf("far.test is no longer allowed, yet %s is still reachable (its learned address must be forgotten)", learnedIP)
	}
	reachable("after reloading back", allowedIP, otherIP)
	if got := sleeper(); got != pid {
		t.Errorf("the bottle's process %s is gone (now %q): the reloads must not touch the bottle", pid, got)
	}
	if now := s.podman("inspect", "--format", "{{.State.StartedAt}}", s.names.Bottle); now != started {
		t.Errorf("the bottle restarted (%s, then %s)", started, now)
	}
}

// checkShellCapture: rbm shell runs in the bottle as its user and in the
// sentry; rbm capture sees the bottle's packets on the sentry's enclave
// side, as a summary and as pcap; rbm status lists the service.
func checkShellCapture(s *service, bin string) {
	t := s.t
	if out, err := cli(s, bin, "shell", "--moniker", moniker, "--", "id", "-u"); err != nil || strings.TrimSpace(out) != "1000" {
		t.Errorf("rbm shell -- id -u: %q %v, want the bottle's user 1000", out, err)
	}
	if out, err := cli(s, bin, "shell", "--moniker", moniker, "--", "sh", "-c", "exit 7"); err == nil || err.(*exec.ExitError).ExitCode() != 7 {
		t.Errorf("rbm shell exit status: %v %q, want 7", err, out)
	}
	if out, err := cli(s, bin, "shell", "--moniker", moniker, "sentry", "--", "rbm", "counters"); err != nil || !strings.Contains(out, "rbm:fwd-drop") {
		t.Errorf("rbm shell sentry -- rbm counters: %v\n%s", err, out)
	}

	done := make(chan string, 1)
	go func() {
		out, _ := exec.CommandContext(s.ctx, bin, "capture", "--moniker", moniker, "--count", "20", "--seconds", "8").CombinedOutput()
		done <- string(out)
	}()
	// podman exec takes a while to start the capture, longer on a loaded
	// machine: connect every 700 ms until the capture has ended.
	out := probeUntil(s, done, tcp(allowedIP+":80"))
	if !strings.Contains(out, "tcp "+s.cfg.BottleIP.String()) || !strings.Contains(out, "> "+allowedIP+":80 [SYN]") {
		t.Errorf("rbm capture did not see the bottle's connection to %s:80:\n%s", allowedIP, out)
	}
	file := filepath.Join(t.TempDir(), "bottle.pcap")
	written := make(chan string, 1)
	go func() {
		out, err := cli(s, bin, "capture", "--moniker", moniker, "--count", "2", "--seconds", "8", "-w", file)
		if err != nil {
			t.Errorf("rbm capture -w: %v\n%s", err, out)
		}
		written <- out
	}()
	probeUntil(s, written, tcp(allowedIP+":80"))
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	if err := capture.Read(f, func(capture.Frame) error { n++; return nil }); err != nil || n != 2 {
		t.Errorf("the pcap file holds %d frames (%v), want 2", n, err)
	}

	var list []engine.Service
	if err := json.Unmarshal([]byte(s.must(bin, "status", "--json")), &list); err != nil {
		t.Fatalf("rbm status --json: %v", err)
	}
	found := false
	for _, sv := range list {
		if sv.Moniker == moniker {
			found = true
			if !strings.HasPrefix(sv.Sentry, "running") || sv.Egress != "allowlist" {
				t.Errorf("rbm status lists %+v", sv)
			}
		}
	}
	if !found {
		t.Errorf("rbm status --json does not list %s: %+v", moniker, list)
	}
}

// TestPodmanImageBuild: rbm image build makes a working sentry image from
// the running (static) binary, on the local base, with no registry.
func TestPodmanImageBuild(t *testing.T) {
	needPodman(t)
	if rootless {
		t.Skip("rootless run: the image build is the root run's (it needs a Go toolchain of this user)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	h := host{t: t, ctx: ctx}
	bin := filepath.Join(t.TempDir(), "rbm")
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, "./cmd/rbm")
	build.Dir, build.Env = repoRoot(t), append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const tag = "localhost/rbm-sentry:imagetest"
	t.Cleanup(func() { exec.Command("podman", "rmi", "-f", tag).Run() })
	out, err := exec.CommandContext(ctx, bin, "image", "build", "--tag", tag, "--base", "localhost/rbm-base:bookworm").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "built "+tag) {
		t.Fatalf("rbm image build: %v\n%s", err, out)
	}
	if got := h.podman("run", "--rm", "--network", "none", tag, "version"); !strings.Contains(got, "rbm") {
		t.Errorf("the built image's rbm version: %q", got)
	}
	if got := h.podman("image", "inspect", "--format", "{{index .Config.Labels \"rbm.image\"}}", tag); got != "sentry" {
		t.Errorf("label rbm.image = %q", got)
	}
}

// probeUntil runs spec every 700 ms until done delivers, and returns that.
func probeUntil(s *service, done <-chan string, spec probe.Spec) string {
	for {
		select {
		case out := <-done:
			return out
		case <-time.After(700 * time.Millisecond):
			s.probe(spec)
		}
	}
}
