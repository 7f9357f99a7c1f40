package runtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// ListenOn opens a TCP listener on addr (one of the host's) that accepts
// and closes until the test ends, and returns its address: something that
// answers, so a refusal is the sentry's and a hole shows.
func ListenOn(t *testing.T, addr string) string {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
	if err != nil {
		t.Fatalf("listen on the host's %s: %v", addr, err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return net.JoinHostPort(addr, strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
}

// probeOn runs probes (`rbm probe batch` of image) in a throwaway
// container of cli ("podman", "docker") on network, behind no sentry,
// labelled label so the tests' cleanup knows it.
func probeOn(ctx context.Context, cli, network, image, label string, specs ...probe.Spec) ([]probe.Result, error) {
	in, _ := json.Marshal(specs)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out, err := (runner.Exec{}).Run(ctx, runner.Cmd{Name: cli, Stdin: string(in), Args: []string{
		"run", "--rm", "-i", "--pull", "never", "--network", network, "--label", label, "--cap-drop", "ALL",
		"--entrypoint", "rbm", image, "probe", "batch"}})
	if err != nil {
		return nil, fmt.Errorf("probes on %s: %w", network, err)
	}
	var res []probe.Result
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(specs) {
		return nil, fmt.Errorf("probe batch output %q: %v", out, err)
	}
	return res, nil
}

// GlobalRefusals checks a bottle with global egress, by its probe (one TCP
// connect) and the sentry's counters: it reaches beyond, a server past the
// uplink (fwd-allow-global counts), but neither the host's own address
// (fwd-host) nor a neighbour on the uplink (fwd-global-uplink), each
// refusal counted by the rule named for it.
func GlobalRefusals(t *testing.T, connect func(target string) probe.Result, counters func() firewall.Snapshot, beyond, hostAddr, neighbour string) {
	t.Helper()
	for _, c := range []struct {
		what, target string
		reach        bool
		rule         string
	}{
		{"a server beyond the uplink (the internet)", beyond, true, policy.RuleAllowGlobal},
		{"the host's own address", hostAddr, false, policy.HostRule},
		{"a neighbour container on the uplink", neighbour, false, policy.GlobalUplink},
	} {
		before := counters()
		r := connect(c.target)
		d := counters().Delta(before)
		if (r.Outcome == probe.Connected) != c.reach {
			t.Errorf("%s (%s) from the bottle: %s %s; want reached=%v", c.what, c.target, r.Outcome, r.Detail, c.reach)
		}
		if d.Rules[firewall.IDPrefix+c.rule].Packets == 0 {
			t.Errorf("%s: %s did not count (moved: %v)", c.what, c.rule, d.Moved())
		}
	}
}

// ReachableOn fails the test unless an ordinary container of cli on
// network (behind no sentry) connects to every target: what a test then
// finds refused from the bottle is the sentry's doing.
func ReachableOn(ctx context.Context, t *testing.T, cli, network, image, label string, targets ...string) {
	t.Helper()
	var specs []probe.Spec
	for _, tg := range targets {
		specs = append(specs, probe.Spec{Kind: probe.KindTCP, Target: tg, Timeout: probe.Duration(2 * time.Second)})
	}
	res, err := probeOn(ctx, cli, network, image, label, specs...)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Outcome != probe.Connected {
			t.Fatalf("an ordinary container on %s does not reach %s (%s: %s): the test proves nothing", network, targets[i], r.Outcome, r.Detail)
		}
	}
}
