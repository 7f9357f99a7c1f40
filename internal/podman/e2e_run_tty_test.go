package podman_test

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/runtest"
)

// TestPodmanRunTerminal drives `rbm run` in a real terminal (tmux), as a
// person at a keyboard would: typed lines reach a shell in the bottle with
// a terminal, Ctrl-C goes to the program in the bottle (the run goes on),
// `exit 5` ends rbm with status 5 and nothing is left; a run whose command
// is the one Ctrl-C ends stops with 130 and leaves nothing either.
func TestPodmanRunTerminal(t *testing.T) {
	needPodman(t)
	runtest.NeedTmux(t)
	_, h, bin := runWorld(t, 8*time.Minute)
	env := runEnv()
	image := envOr("RBM_BOTTLE_IMAGE", bottleImage)

	term := runtest.NewTerminal(t, env, bin, "run", "--allow", "allowed.test", image, "--", "sh")
	m := term.Moniker()
	term.WaitFor(`\$$`, "the bottle's shell prompt")
	term.Send("echo tty=$(tty | cut -c1-8) sum=$((6*7))", "Enter")
	term.WaitFor(`tty=/dev/pts sum=42`, "the typed line's output, on a terminal")
	term.Send("sleep 50", "Enter")
	time.Sleep(time.Second)
	term.Send("C-c")
	term.Send("echo after-interrupt", "Enter")
	term.WaitFor(`(?m)^after-interrupt`, "the shell going on after Ctrl-C (it went to sleep, not to rbm)")
	if out := h.podman("inspect", "--format", "{{.State.Running}}", m+"-bottle"); out != "true" {
		t.Errorf("the bottle is not running after Ctrl-C: %q", out)
	}
	term.Send("exit 5", "Enter")
	term.WaitFor(`rbm-exit=5`, "rbm ending with the shell's status")
	assertNothingLabelled(h, m)

	term = runtest.NewTerminal(t, env, bin, "run", image, "--", "sleep", "50")
	m = term.Moniker()
	time.Sleep(2 * time.Second) // the exec starts right after the bottle runs
	term.Send("C-c")
	term.WaitFor(`rbm-exit=130`, "rbm ending with 128+SIGINT when Ctrl-C ended the command")
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
