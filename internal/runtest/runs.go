package runtest

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// World is what the piped `rbm run` checks need of a runtime's test world.
type World struct {
	CLI     string                      // "podman" or "docker", for messages
	Bin     string                      // the rbm under test
	Inspect func(args ...string) string // the runtime's inspect with args
	Running func(*LockedBuffer) string  // the run's moniker once its bottle runs
	Left    func(moniker string)        // fails the test if the run left anything
}

// PipedRun drives `rbm run` with stdin piped, as a script would: the
// command's output and exit status (3) come back, the -e value secret (env
// holds it as RBM_RUN_SECRET; the run names only the variable) is in the
// bottle and in no inspect and on no command line, a name outside --allow
// is refused and named in the end summary, and nothing is left. The
// command writes the file by-bottle in dir, mounted at /mnt/work: the
// caller checks its owner.
func (w World) PipedRun(ctx context.Context, t *testing.T, env []string, image, secret, dir string) {
	t.Helper()
	rbm := exec.CommandContext(ctx, w.Bin, "run", "--allow", "allowed.test", "--deny", "reject",
		"-e", "RBM_RUN_SECRET", "-e", "PLAIN=v1", "-w", "/tmp", "-v", dir+":/mnt/work", image, "--",
		"sh", "-c", `cat; echo made >/mnt/work/by-bottle; echo "secret=$RBM_RUN_SECRET plain=$PLAIN dir=$(pwd)"; getent hosts other.test.; exit 3`)
	rbm.Env = env
	var stdout bytes.Buffer
	var stderr LockedBuffer
	rbm.Stdout, rbm.Stderr = &stdout, &stderr
	in, err := rbm.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := rbm.Start(); err != nil {
		t.Fatal(err)
	}
	m := w.Running(&stderr)
	for _, c := range []string{m + "-sentry", m + "-bottle"} {
		if strings.Contains(w.Inspect(c), secret) {
			t.Errorf("the -e value is in %s inspect %s", w.CLI, c)
		}
	}
	if OnCommandLine(secret) {
		t.Error("the -e value is on a command line (/proc/*/cmdline)")
	}
	in.Write([]byte("hello from the host\n"))
	in.Close()
	err = rbm.Wait()
	t.Logf("rbm run stderr:\n%s", stderr.String())
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
		t.Errorf("rbm run: %v, want exit status 3 (the command's)", err)
	}
	want := "hello from the host\nsecret=" + secret + " plain=v1 dir=/tmp\n"
	if got := stdout.String(); got != want {
		t.Errorf("stdout = %q, want %q (other.test must not resolve)", got, want)
	}
	if s := stderr.String(); !strings.Contains(s, "rbm run: the sentry refused") || !strings.Contains(s, "--allow other.test") {
		t.Errorf("the end summary does not name other.test with its --allow")
	}
	w.Left(m)
}

// SignalledRun runs `rbm run -v DIR:/mnt/run:ro IMAGE -- sleep 60`, and
// once the bottle runs with its mount and command, sends rbm SIGTERM: rbm
// ends with 143 and nothing is left.
func (w World) SignalledRun(ctx context.Context, t *testing.T, env []string, image string) {
	t.Helper()
	var stderr LockedBuffer
	rbm := exec.CommandContext(ctx, w.Bin, "run", "-v", t.TempDir()+":/mnt/run:ro", image, "--", "sleep", "60")
	rbm.Env, rbm.Stderr = env, &stderr
	if err := rbm.Start(); err != nil {
		t.Fatal(err)
	}
	m := w.Running(&stderr)
	if got := w.Inspect("--format", "{{range .Mounts}}{{.Destination}} {{end}}{{.Config.Entrypoint}}", m+"-bottle"); !strings.Contains(got, "/mnt/run") || !strings.Contains(got, "sleep") {
		t.Errorf("the bottle of a run with a chosen enclave lacks its mount or keep-alive: %q", got)
	}
	rbm.Process.Signal(syscall.SIGTERM)
	err := rbm.Wait()
	t.Logf("rbm run (SIGTERM) stderr:\n%s", stderr.String())
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 128+int(syscall.SIGTERM) {
		t.Errorf("rbm run after SIGTERM: %v, want exit status 143", err)
	}
	w.Left(m)
}

// TerminalRun drives `rbm run` in a real terminal (tmux), as a person at a
// keyboard would: a shell in the bottle gets the typed line and answers
// with output matching want on a terminal; Ctrl-C goes to the program in
// the bottle (the run goes on); `exit 5` ends rbm with 5 and nothing is
// left. Then a run whose command Ctrl-C ends stops with 130, nothing left.
func (w World) TerminalRun(t *testing.T, env []string, image, typed, want string) {
	t.Helper()
	term := NewTerminal(t, env, w.Bin, "run", "--allow", "allowed.test", image, "--", "sh")
	m := term.Moniker()
	term.WaitFor(`\$$`, "the bottle's shell prompt")
	term.Send(typed, "Enter")
	term.WaitFor(want, "the typed line's output, on a terminal")
	term.Send("sleep 50", "Enter")
	time.Sleep(time.Second)
	term.Send("C-c")
	term.Send("echo after-interrupt", "Enter")
	term.WaitFor(`(?m)^after-interrupt`, "the shell going on after Ctrl-C (it went to sleep, not to rbm)")
	if out := strings.TrimSpace(w.Inspect("--format", "{{.State.Running}}", m+"-bottle")); out != "true" {
		t.Errorf("the bottle is not running after Ctrl-C: %q", out)
	}
	term.Send("exit 5", "Enter")
	term.WaitFor(`rbm-exit=5`, "rbm ending with the shell's status")
	w.Left(m)

	// A duration no other test's sleep has (Podman's, rootless Podman's and
	// Docker's run at once), so the process says the bottle's exec began.
	secs := strconv.Itoa(600 + rand.IntN(300))
	term = NewTerminal(t, env, w.Bin, "run", image, "--", "sleep", secs)
	m = term.Moniker()
	waitProcess(t, "sleep", secs)
	term.Send("C-c")
	term.WaitFor(`rbm-exit=130`, "rbm ending with 128+SIGINT when Ctrl-C ended the command")
	w.Left(m)
}
