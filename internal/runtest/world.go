package runtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

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

// ProbeOn runs probes (`rbm probe batch` of image) in a throwaway
// container of cli ("podman", "docker") on network, behind no sentry,
// labelled label so the tests' cleanup knows it.
func ProbeOn(ctx context.Context, cli, network, image, label string, specs ...probe.Spec) ([]probe.Result, error) {
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
