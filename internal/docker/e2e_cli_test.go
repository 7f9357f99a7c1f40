package docker_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
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
	out := run(3*time.Minute, "verify", "--moniker", moniker, "--foreign", foreignIP, "--forbidden", otherIP,
		"--allowed", allowedIP, "--allowed-name", "allowed.test", "--forbidden-name", "other.test",
		"--bait-domain", baitDomain, "--ca-file", filepath.Join(dir, "ca.pem"), "--echo-port", "7")
	if !strings.Contains(out, " 0 broken") {
		s.t.Errorf("rbm verify --moniker under Docker: not 0 broken")
	}
}
