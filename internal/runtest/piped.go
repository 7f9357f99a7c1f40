package runtest

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"syscall"
	"testing"
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
