// Package nstest runs one test inside a throwaway network namespace, by
// re-executing the test binary there, optionally as an unprivileged user
// with no capabilities. The namespace has only a loopback interface: no
// link to the host, so nothing the test sends can leave the machine.
package nstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// envChild names the test a re-executed binary must run as the child.
const envChild = "RBMT_NETNS_CHILD"

// childTimeout bounds the child process.
const childTimeout = 60 * time.Second

// Addresses of the link to the peer namespace (documentation range).
const (
	HereAddr = "198.51.100.1" // the test's side
	PeerAddr = "198.51.100.2" // the peer's side
)

// Options shape the namespace and the child.
type Options struct {
	// Setup commands run as root inside the namespace before the child
	// starts, e.g. {"ip", "route", "add", "prohibit", "192.0.2.0/24"}.
	Setup [][]string
	// Peer adds a second namespace, joined to the test's by a veth pair
	// holding HereAddr/24 and PeerAddr/24: another host, or a router.
	Peer bool
	// PeerSetup commands run as root inside the peer namespace.
	PeerSetup [][]string
	// Unprivileged runs the child as uid and gid 1000, with no groups and
	// no capabilities (as the bottle runs).
	Unprivileged bool
}

// Enter returns true in the child: the caller goes on with the test body,
// inside the namespace. In the parent it creates the namespace, runs the
// calling test there, fails t if the child fails, and returns false: the
// caller returns at once. It skips t unless run as root. Only top-level
// tests can enter.
func Enter(t *testing.T, opt Options) bool {
	t.Helper()
	if os.Getenv(envChild) == t.Name() {
		return true
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a network namespace")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs the ip command (iproute2)")
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	ns := newNamespace(t, "rbmt-probe-"+hex.EncodeToString(b))
	if opt.Peer {
		peer := newNamespace(t, ns+"-peer")
		link(t, ns, peer)
		for _, c := range opt.PeerSetup {
			run(t, append([]string{"ip", "netns", "exec", peer}, c...)...)
		}
	}
	for _, c := range opt.Setup {
		run(t, append([]string{"ip", "netns", "exec", ns}, c...)...)
	}
	runChild(t, ns, opt.Unprivileged)
	return false
}

// newNamespace creates namespace ns with loopback up, and deletes it when
// the test ends, whatever the outcome.
func newNamespace(t *testing.T, ns string) string {
	t.Helper()
	run(t, "ip", "netns", "add", ns)
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "delete", ns).CombinedOutput(); err != nil {
			t.Errorf("delete namespace %s: %v: %s", ns, err, out)
		}
	})
	run(t, "ip", "-n", ns, "link", "set", "lo", "up")
	return ns
}

// link joins ns to peer with a veth pair, HereAddr on ns's side.
func link(t *testing.T, ns, peer string) {
	t.Helper()
	run(t, "ip", "-n", ns, "link", "add", "rbmt0", "type", "veth", "peer", "name", "rbmt1", "netns", peer)
	run(t, "ip", "-n", ns, "addr", "add", HereAddr+"/24", "dev", "rbmt0")
	run(t, "ip", "-n", peer, "addr", "add", PeerAddr+"/24", "dev", "rbmt1")
	run(t, "ip", "-n", ns, "link", "set", "rbmt0", "up")
	run(t, "ip", "-n", peer, "link", "set", "rbmt1", "up")
}

// runChild runs this test binary's current test inside ns.
func runChild(t *testing.T, ns string, unprivileged bool) {
	t.Helper()
	bin, dir := testBinary(t, unprivileged)
	args := []string{"netns", "exec", ns}
	if unprivileged {
		args = append(args, "setpriv", "--reuid=1000", "--regid=1000", "--clear-groups",
			"--inh-caps=-all", "--bounding-set=-all")
	}
	args = append(args, bin, "-test.run=^"+regexp.QuoteMeta(t.Name())+"$", "-test.v", "-test.count=1")
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), envChild+"="+t.Name())
	out, err := cmd.CombinedOutput()
	t.Logf("child in %s:\n%s", ns, out)
	if err != nil {
		t.Fatalf("child test in namespace %s failed: %v", ns, err)
	}
}

// testBinary returns the running test binary and a working directory for
// the child. An unprivileged child cannot read go test's private build
// directory, so it gets a world-readable copy.
func testBinary(t *testing.T, unprivileged bool) (bin, dir string) {
	t.Helper()
	if unprivileged {
		bin = WorldReadableBinary(t)
		return bin, filepath.Dir(bin)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatalf("find test binary: %v", err)
	}
	wd, _ := os.Getwd()
	return self, wd
}

// WorldReadableBinary copies the running test binary where any user can run
// it (go test's build directory is private to root) and removes it when
// the test ends.
func WorldReadableBinary(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatalf("find test binary: %v", err)
	}
	// Not t.TempDir: its parent directory is private to root.
	dir, err := os.MkdirTemp("", "rbmt-bin-")
	if err != nil {
		t.Fatalf("temp dir for test binary: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatalf("open up %s: %v", dir, err)
	}
	bin := filepath.Join(dir, filepath.Base(self))
	if err := copyFile(self, bin); err != nil {
		t.Fatalf("copy test binary: %v", err)
	}
	return bin
}

// copyFile copies an executable from src to dst with mode 0755.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// run runs a setup command as root and fails t if it fails.
func run(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%v: %v: %s", args, err, out)
	}
}
