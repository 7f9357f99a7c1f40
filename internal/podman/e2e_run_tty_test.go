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

	podmanWorld(h, bin).TerminalRun(t, env, image, "echo tty=$(tty | cut -c1-8) sum=$((6*7))", `tty=/dev/pts sum=42`)
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
