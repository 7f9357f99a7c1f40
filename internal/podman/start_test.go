package podman

import (
	"bytes"
	"context"
	"errors"
	"github.com/recipe-bottle/rbm/internal/engine"
	"strings"
	"testing"
	"time"
)

func planCommands(t *testing.T) []string {
	t.Helper()
	steps, err := Plan(mustConfig(t, planCases["allowlist-entry"]...))
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	for _, s := range steps {
		cmds = append(cmds, s.Cmd.String())
	}
	return cmds
}

func TestStartRunsThePlanInOrder(t *testing.T) {
	f := scripted{}.fake()
	var buf bytes.Buffer
	if err := engine.Start(context.Background(), Runtime{}, f, mustConfig(t, planCases["allowlist-entry"]...), engine.Options{Out: &buf}); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.Commands(), "\n"), strings.Join(planCommands(t), "\n"); got != want {
		t.Fatalf("commands:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(buf.String(), "[9/9] check the bottle's routes") {
		t.Errorf("progress lacks the last step:\n%s", buf.String())
	}
}

func TestStartUndoesWhatItCreatedWhenAStepFails(t *testing.T) {
	f := scripted{"podman pod create": fail(errors.New("pod create: boom"))}.fake()
	var buf bytes.Buffer
	err := engine.Start(context.Background(), Runtime{}, f, mustConfig(t, planCases["allowlist-entry"]...), engine.Options{Out: &buf})
	if err == nil || !strings.Contains(err.Error(), "step 4 (pod notebook-pod") || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("err = %v, want step 4 and the cause", err)
	}
	cmds := f.Commands()
	want := []string{
		"podman pod rm -f --ignore -t 5 notebook-pod",
		"podman rm -f --ignore -t 5 notebook-sentry",
		"podman network rm -f notebook-enclave",
	}
	if got := strings.Join(cmds[len(cmds)-3:], "\n"); got != strings.Join(want, "\n") {
		t.Fatalf("undo:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if !strings.Contains(buf.String(), "step 4 failed") {
		t.Errorf("output does not say which step failed:\n%s", buf.String())
	}
}

func TestStartGivesUpOnAnUnhealthySentry(t *testing.T) {
	inspect := `[{"State":{"Status":"running","Health":{"Status":"unhealthy","Log":[{"Output":"dnsmasq does not answer"}]}}}]`
	f := scripted{
		"podman healthcheck run":   fail(exitErr(t, 1)),
		"podman container inspect": out(inspect),
	}.fake()
	opts := engine.Options{HealthTimeout: 50 * time.Millisecond, PollEvery: 10 * time.Millisecond}
	err := engine.Start(context.Background(), Runtime{}, f, mustConfig(t, planCases["allowlist-entry"]...), opts)
	if err == nil || !strings.Contains(err.Error(), "not healthy after 50ms (last check: dnsmasq does not answer)") {
		t.Fatalf("err = %v", err)
	}
	if cmds := f.Commands(); cmds[len(cmds)-1] != "podman network rm -f notebook-enclave" {
		t.Fatalf("last command %q, want the network removed", cmds[len(cmds)-1])
	}
}

func TestStartStopsWaitingWhenTheSentryExited(t *testing.T) {
	f := scripted{
		"podman healthcheck run":   fail(exitErr(t, 1)),
		"podman container inspect": out(`[{"State":{"Status":"exited","ExitCode":1}}]`),
	}.fake()
	start := time.Now()
	err := engine.Start(context.Background(), Runtime{}, f, mustConfig(t, planCases["allowlist-entry"]...), engine.Options{HealthTimeout: time.Minute})
	if err == nil || !strings.Contains(err.Error(), "notebook-sentry is exited (exit code 1)") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("waited for the timeout instead of giving up at once")
	}
}
