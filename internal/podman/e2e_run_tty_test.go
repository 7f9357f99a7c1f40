package podman_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestPodmanRunTerminal drives `rbm run` in a real terminal (tmux), as a
// person at a keyboard would: typed lines reach a shell in the bottle with
// a terminal, Ctrl-C goes to the program in the bottle (the run goes on),
// `exit 5` ends rbm with status 5 and nothing is left; a run whose command
// is the one Ctrl-C ends stops with 130 and leaves nothing either.
func TestPodmanRunTerminal(t *testing.T) {
	needPodman(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed (scripts/install-deps.sh installs it)")
	}
	_, h, bin := runWorld(t, 8*time.Minute)
	env := runEnv()
	image := envOr("RBM_BOTTLE_IMAGE", bottleImage)

	term := newTerminal(t, env, bin, "run", "--allow", "allowed.test", image, "--", "sh")
	m := term.moniker()
	term.waitFor(`\$$`, "the bottle's shell prompt")
	term.send("echo tty=$(tty | cut -c1-8) sum=$((6*7))", "Enter")
	term.waitFor(`tty=/dev/pts sum=42`, "the typed line's output, on a terminal")
	term.send("sleep 50", "Enter")
	time.Sleep(time.Second)
	term.send("C-c")
	term.send("echo after-interrupt", "Enter")
	term.waitFor(`(?m)^after-interrupt`, "the shell going on after Ctrl-C (it went to sleep, not to rbm)")
	if out := h.podman("inspect", "--format", "{{.State.Running}}", m+"-bottle"); out != "true" {
		t.Errorf("the bottle is not running after Ctrl-C: %q", out)
	}
	term.send("exit 5", "Enter")
	term.waitFor(`rbm-exit=5`, "rbm ending with the shell's status")
	assertNothingLabelled(h, m)

	term = newTerminal(t, env, bin, "run", image, "--", "sleep", "50")
	m = term.moniker()
	time.Sleep(2 * time.Second) // the exec starts right after the bottle runs
	term.send("C-c")
	term.waitFor(`rbm-exit=130`, "rbm ending with 128+SIGINT when Ctrl-C ended the command")
	assertNothingLabelled(h, m)
}

// TestPodmanRunTwoAtOnce starts two runs together, neither with a subnet:
// each must choose its own enclave, and both resolve the allowed name
// through their own sentry.
func TestPodmanRunTwoAtOnce(t *testing.T) {
	ctx, h, bin := runWorld(t, 5*time.Minute)
	twoAtOnce(ctx, t, h, runEnv(), bin, envOr("RBM_BOTTLE_IMAGE", bottleImage))
}

// runEnv is the environment of a run with no regime: its own enclave, the
// stand-in resolver (never the machine's), the stand-in world's uplink.
func runEnv() []string {
	return []string{"RBRR_POD_SUBNET=", "RBRR_SENTRY_IP=", "RBRR_BOTTLE_IP=", "RBRR_UPLINK_NETWORK=" + upNet,
		"RBRR_DNS_SERVER=" + resolverIP, "RBRR_SENTRY_IMAGE=" + envOr("RBRR_SENTRY_IMAGE", sentryImage),
		"RBRN_DNS_REBIND_OK_DOMAINS=allowed.test"} // the stand-ins answer with documentation addresses
}

// twoAtOnce runs two `rbm run`s together and checks their enclaves and
// answers.
func twoAtOnce(ctx context.Context, t *testing.T, h host, env []string, bin, image string) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	outs := make([]string, 2)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := exec.CommandContext(ctx, bin, "run", "--allow", "allowed.test", image, "--",
				"sh", "-c", "getent hosts allowed.test; ip -4 -o addr show scope global")
			c.Env = append(os.Environ(), env...)
			out, err := c.CombinedOutput()
			outs[i] = string(out)
			if err != nil {
				t.Errorf("run %d at once: %v\n%s", i, err, out)
			}
		}()
	}
	wg.Wait()
	enclave := regexp.MustCompile(`inet (10\.242\.\d+)\.\d+/24`)
	var nets []string
	for i, out := range outs {
		if !strings.Contains(out, allowedIP) {
			t.Errorf("run %d at once did not resolve allowed.test to %s:\n%s", i, allowedIP, out)
		}
		if m := enclave.FindStringSubmatch(out); m != nil {
			nets = append(nets, m[1])
		}
	}
	if len(nets) != 2 || nets[0] == nets[1] {
		t.Errorf("two runs at once: enclaves %q, want two different /24s of 10.242.0.0/16", nets)
	}
}

// terminal is one tmux session on a socket of its own, running rbm and
// then printing its exit status.
type terminal struct {
	t      *testing.T
	socket string
}

func newTerminal(t *testing.T, env []string, bin string, args ...string) *terminal {
	t.Helper()
	dir := t.TempDir()
	var script strings.Builder
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&script, "export %s='%s'\n", k, v)
	}
	fmt.Fprintf(&script, "'%s'", bin)
	for _, a := range args {
		fmt.Fprintf(&script, " '%s'", a)
	}
	script.WriteString("\necho rbm-exit=$?\nsleep 60\n")
	path := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(path, []byte(script.String()), 0o755); err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, socket: "rbmt-tty-" + filepath.Base(dir)}
	term.tmux("new-session", "-d", "-x", "200", "-y", "50", "sh", path)
	t.Cleanup(func() { exec.Command("tmux", "-L", term.socket, "kill-server").Run() })
	return term
}

func (term *terminal) tmux(args ...string) string {
	term.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", term.socket}, args...)...).CombinedOutput()
	if err != nil {
		term.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (term *terminal) send(keys ...string) {
	term.tmux(append([]string{"send-keys", "-t", "0"}, keys...)...)
}

func (term *terminal) screen() string {
	return term.tmux("capture-pane", "-p", "-t", "0", "-S", "-200")
}

// waitFor waits until the screen matches pattern (trailing blank lines
// trimmed), failing with the screen after three minutes.
func (term *terminal) waitFor(pattern, what string) string {
	term.t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		s := strings.TrimRight(term.screen(), "\n ")
		if m := re.FindString(s); m != "" {
			return m
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("waiting for %s (%s); the screen:\n%s", what, pattern, s)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// moniker is the run's, from start's progress on the screen.
func (term *terminal) moniker() string {
	term.t.Helper()
	return "run-" + strings.TrimPrefix(term.waitFor(`bottle service run-[0-9a-z]+`, "the run's moniker"), "bottle service run-")
}
