package testns

import (
	"flag"
	"fmt"
	"os"
	"syscall"
	"testing"
)

// HostLockPath serialises the container tests of this machine: the Podman
// and Docker end-to-end tests build their stand-in internets on the same
// documentation subnets, and two host bridges with one subnet would route
// each other's traffic.
const HostLockPath = "/run/rbm-container-tests.lock"

// LockHost takes the machine-wide lock of the container tests, waiting for
// it; the returned function releases it. The kernel releases it too when
// the process ends, however it ends.
func LockHost() (func(), error) {
	f, err := os.OpenFile(HostLockPath, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", HostLockPath, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", HostLockPath, err)
	}
	return func() { f.Close() }, nil
}

// MainLocked is the TestMain of a container-test package: it runs m holding
// the host lock (as root, unless -short, which runs no container test), then
// fails the run if leftovers names anything of what (e.g. "Podman") the
// tests left behind. It returns the exit code for os.Exit.
func MainLocked(m *testing.M, what string, leftovers func() string) int {
	flag.Parse()
	unlock := func() {}
	if os.Geteuid() == 0 && !testing.Short() {
		var err error
		if unlock, err = LockHost(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	defer unlock() // held until here: a collected file would release it early
	code := m.Run()
	if left := leftovers(); left != "" {
		fmt.Fprintf(os.Stderr, "FAIL: %s objects left behind by the tests:\n%s\n", what, left)
		code = 1
	}
	return code
}
