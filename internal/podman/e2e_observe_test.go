package podman_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/podman"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// buildCLI builds the rbm binary a user runs on the host.
func buildCLI(ctx context.Context, t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("RBM_TEST_RBM"); bin != "" { // built by root for a rootless run
		return bin
	}
	bin := filepath.Join(t.TempDir(), "rbm")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/rbm")
	build.Dir = repoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// checkObserve: `rbm observe --moniker --json` shows a forbidden name and
// a forbidden connect from the bottle within a second each, with the rule
// that refused it; the events are in `podman logs` too; rbm status sums
// them up; Ctrl-C ends observe and leaves no reader in the sentry.
func checkObserve(ctx context.Context, t *testing.T, s *service, bin string) {
	octx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(octx, bin, "observe", "--moniker", moniker, "--json")
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	evs := make(chan events.Event, 1024)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var e events.Event
			if json.Unmarshal(sc.Bytes(), &e) == nil {
				evs <- e
			}
		}
		close(evs)
	}()
	if line, err := bufio.NewReader(stderr).ReadString('\n'); err != nil || !strings.Contains(line, "watching") {
		t.Fatalf("rbm observe did not start: %q %v", line, err)
	}
	time.Sleep(500 * time.Millisecond) // podman exec reaches the socket
	await := func(what string, ok func(events.Event) bool) events.Event {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case e, open := <-evs:
				if !open {
					t.Fatalf("rbm observe ended before %s", what)
				}
				if ok(e) {
					// Within a second of happening (its own time stamp),
					// however slowly the probe started.
					if late := time.Since(e.Time); late > time.Second {
						t.Errorf("%s reached rbm observe %v after it happened, want within 1 s", what, late.Round(time.Millisecond))
					}
					return e
				}
			case <-deadline:
				t.Fatalf("no event within 10 s: %s", what)
			}
		}
	}
	s.probe(dns("198.51.100.2", "other.test"))
	e := await("the forbidden name", func(e events.Event) bool { return e.Kind == events.DNS && e.Name == "other.test" })
	if e.Verdict != events.NotAllowed || e.Client != s.cfg.BottleIP.String() {
		t.Errorf("forbidden name event %+v, want not allowed from the bottle", e)
	}
	go s.try("podman", "exec", s.names.Bottle, "rbm", "probe", "tcp", "--timeout", "1s", otherIP+":80")
	e = await("the forbidden connect", func(e events.Event) bool { return e.Kind == events.Deny && e.Dst == otherIP })
	// The forbidden stand-in is on the sentry's uplink network: the guard
	// refuses it before the default drop would.
	if e.Port != 80 || e.Proto != "tcp" || e.Rule != "rbm:fwd-learn-guard" {
		t.Errorf("denial %+v, want tcp %s:80 by rbm:fwd-learn-guard", e, otherIP)
	}
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Errorf("rbm observe after Ctrl-C: %v, want exit 0", err)
	}
	// The reader inside the sentry goes with it.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		out, _ := s.try("podman", "top", s.names.Sentry, "args")
		if !strings.Contains(out, "sentry events") {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("rbm sentry events still runs in the sentry after observe ended:\n%s", out)
			break
		}
	}

	logs, _ := exec.CommandContext(ctx, "podman", "logs", s.names.Sentry).Output() // stdout only: the events
	if !strings.Contains(string(logs), `"kind":"deny"`) || !strings.Contains(string(logs), `"name":"other.test"`) {
		t.Errorf("podman logs (the sentry's standard output) lacks the events:\n%s", lastN(string(logs), 10))
	}
	st, err := engine.Inspect(ctx, podman.Runtime{}, runner.Exec{}, moniker)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	st.Write(&b)
	if !strings.Contains(b.String(), "refused in the last") || !strings.Contains(b.String(), otherIP+":80") || !strings.Contains(b.String(), "other.test x") {
		t.Errorf("rbm status does not sum up the refusals:\n%s", b.String())
	}
}

func lastN(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
