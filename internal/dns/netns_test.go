package dns

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/testns"
)

// needRoot skips tests that create network namespaces and run dnsmasq.
func needRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces")
	}
	for _, prog := range []string{"ip", binary} {
		if _, err := exec.LookPath(prog); err != nil {
			t.Skipf("needs %s", prog)
		}
	}
}

// testNS is a network namespace owned by one test; it has no link to the
// host, so nothing sent in it can leave.
type testNS struct {
	name string
}

// newTestNS creates rbmt-dns-<random> holding setup (ip -batch commands)
// and deletes it when the test ends, failed or not.
func newTestNS(t testing.TB, setup string) *testNS {
	t.Helper()
	ns := &testNS{name: testns.New(t, "rbmt-dns")}
	cmd := runner.Cmd{Name: "ip", Args: []string{"-n", ns.name, "-batch", "-"}, Stdin: setup}
	if _, err := (runner.Exec{}).Run(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
	return ns
}

// do runs fn with a thread inside the namespace, so the sockets fn creates
// live there.
func (ns *testNS) do(fn func() error) error {
	return testns.Do(ns.name, fn)
}
