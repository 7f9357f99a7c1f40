package runtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Terminal is one tmux session on a socket of its own, running rbm and
// then printing its exit status as rbm-exit=N.
type Terminal struct {
	t      testing.TB
	socket string
}

// NeedTmux skips the test when tmux is missing.
func NeedTmux(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed (scripts/install-deps.sh installs it)")
	}
}

// NewTerminal starts bin with args in a new 200x50 terminal, env (K=V,
// the test's own values) exported first. The session goes when the test
// ends.
func NewTerminal(t testing.TB, env []string, bin string, args ...string) *Terminal {
	t.Helper()
	dir := t.TempDir()
	var script strings.Builder
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&script, "export %s=%s\n", k, quote(v))
	}
	script.WriteString(quote(bin))
	for _, a := range args {
		script.WriteString(" " + quote(a))
	}
	script.WriteString("\necho rbm-exit=$?\nsleep 60\n")
	path := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(path, []byte(script.String()), 0o755); err != nil {
		t.Fatal(err)
	}
	term := &Terminal{t: t, socket: "rbmt-tty-" + filepath.Base(dir)}
	term.tmux("new-session", "-d", "-x", "200", "-y", "50", "sh", path)
	t.Cleanup(func() { exec.Command("tmux", "-L", term.socket, "kill-server").Run() })
	return term
}

// quote is s in single quotes for sh, whatever it holds.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (term *Terminal) tmux(args ...string) string {
	term.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", term.socket}, args...)...).CombinedOutput()
	if err != nil {
		term.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Send types keys (tmux send-keys names: "Enter", "C-c", or text).
func (term *Terminal) Send(keys ...string) {
	term.t.Helper()
	term.tmux(append([]string{"send-keys", "-t", "0"}, keys...)...)
}

// Screen is what the terminal shows, with 200 lines of history.
func (term *Terminal) Screen() string {
	term.t.Helper()
	return term.tmux("capture-pane", "-p", "-t", "0", "-S", "-200")
}

// WaitFor waits until the screen matches pattern (trailing blank lines
// trimmed) and returns the match, failing with the screen after three
// minutes.
func (term *Terminal) WaitFor(pattern, what string) string {
	term.t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		s := strings.TrimRight(term.Screen(), "\n ")
		if m := re.FindString(s); m != "" {
			return m
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("waiting for %s (%s); the screen:\n%s", what, pattern, s)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Moniker is the run's, from start's progress on the screen.
func (term *Terminal) Moniker() string {
	term.t.Helper()
	return "run-" + strings.TrimPrefix(term.WaitFor(`bottle service run-[0-9a-z]+`, "the run's moniker"), "bottle service run-")
}
