package docker_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/recipe-bottle/rbm/internal/probe"
)

// checkCLI runs the built rbm as a user would, naming the service only by
// its moniker: status, observe and verify find the runtime themselves.
func checkCLI(s *service, dir string) {
	_, file, _, _ := runtime.Caller(0)
	bin := filepath.Join(s.t.TempDir(), "rbm")
	build := exec.CommandContext(s.ctx, "go", "build", "-o", bin, "./cmd/rbm")
	build.Dir = filepath.Join(filepath.Dir(file), "..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		s.t.Fatalf("go build: %v\n%s", err, out)
	}
	run := func(timeout time.Duration, args ...string) string {
		ctx, cancel := context.WithTimeout(s.ctx, timeout)
		defer cancel()
		out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
		s.t.Logf("rbm %s:\n%s", strings.Join(args, " "), out)
		if err != nil && ctx.Err() == nil {
			s.t.Errorf("rbm %s: %v", args[0], err)
		}
		return string(out)
	}
	if out := run(time.Minute, "status"); !strings.Contains(out, moniker+"  ") || !strings.Contains(out, "Docker") {
		s.t.Errorf("rbm status does not list %s under Docker", moniker)
	}
	// Following ends at the timeout; the history holds checkEgress's refusal.
	if out := run(3*time.Second, "observe", "--moniker", moniker, "--since", "10m", "--json"); !strings.Contains(out, "other.test") {
		s.t.Errorf("rbm observe --moniker shows no refusal of other.test")
	}
	if out := run(time.Minute, "suggest", "--moniker", moniker); !strings.Contains(out, "other.test") {
		s.t.Errorf("rbm suggest --moniker proposes nothing for other.test")
	}
	if out := run(time.Minute, "shell", "--moniker", moniker, "--", "id", "-u"); strings.TrimSpace(out) != "1000" {
		s.t.Errorf("rbm shell --moniker -- id -u: %q, want the bottle's user 1000", out)
	}
	checkCapture(s, bin)
	checkReload(s, run)
	out := run(3*time.Minute, "verify", "--moniker", moniker, "--foreign", foreignIP, "--forbidden", otherIP,
		"--allowed", allowedIP, "--allowed-name", "allowed.test", "--forbidden-name", "other.test",
		"--bait-domain", baitDomain, "--ca-file", filepath.Join(dir, "ca.pem"), "--echo-port", "7",
		"--case", "request/*", "--case", "egress/forbidden-tcp-443") // checkVerify ran the whole battery
	if !strings.Contains(out, "request/forward-chain-counted") {
		s.t.Errorf("rbm verify --moniker --case 'request/*' did not run the closing case")
	}
	if !strings.Contains(out, " 0 broken") {
		s.t.Errorf("rbm verify --moniker under Docker: not 0 broken")
	}
}

// checkReload: rbm reload swaps the allowed CIDR of the running Docker
// service in place (the added one opens, the removed one closes), and the
// bottle keeps running; reloading back restores the first.
func checkReload(s *service, run func(time.Duration, ...string) string) {
	started := s.docker("inspect", "--format", "{{.State.StartedAt}}", s.names.Bottle)
	reachable := func(why, open, closed string) {
		r := s.probe(tcp(open+":80"), tcp(closed+":80"))
		if r[0].Outcome != probe.Connected || r[1].Outcome.OK() {
			s.t.Errorf("%s: %s %s (want connected), %s %s (want closed)", why, open, r[0].Outcome, closed, r[1].Outcome)
		}
	}
	swap := writeTemp(s.t, "RBRN_UPLINK_ALLOWED_CIDRS="+otherIP+"/32\n")
	if out := run(time.Minute, "reload", "--moniker", moniker, "--nameplate", swap); !strings.Contains(out, "applied") {
		s.t.Fatalf("rbm reload under Docker did not apply")
	}
	reachable("after the reload", otherIP, allowedIP)
	back := writeTemp(s.t, "RBRN_UPLINK_ALLOWED_CIDRS="+allowedIP+"/32\n")
	if out := run(time.Minute, "reload", "--moniker", moniker, "--nameplate", back); !strings.Contains(out, "applied") {
		s.t.Fatalf("rbm reload back did not apply")
	}
	reachable("after reloading back", allowedIP, otherIP)
	if now := s.docker("inspect", "--format", "{{.State.StartedAt}}", s.names.Bottle); now != started {
		s.t.Errorf("the bottle restarted during the reloads (%s -> %s)", started, now)
	}
}

// checkCapture: rbm capture --moniker shows the bottle's SYN to the
// allowed server, captured inside the sentry's container.
func checkCapture(s *service, bin string) {
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	var out strings.Builder
	c := exec.CommandContext(ctx, bin, "capture", "--moniker", moniker, "--count", "20", "--seconds", "6")
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		s.t.Fatal(err)
	}
	time.Sleep(2 * time.Second) // the capture opens its socket
	s.probe(tcp(allowedIP + ":80"))
	err := c.Wait()
	s.t.Logf("rbm capture --moniker %s:\n%s", moniker, out.String())
	if err != nil || !strings.Contains(out.String(), bottleIP) || !strings.Contains(out.String(), allowedIP+".80") && !strings.Contains(out.String(), allowedIP+":80") {
		s.t.Errorf("rbm capture under Docker: %v; want the bottle's packets to %s:80", err, allowedIP)
	}
}
