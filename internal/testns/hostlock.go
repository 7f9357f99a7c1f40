package testns

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// HostLockPath serialises the container tests of one network namespace:
// the Podman and Docker end-to-end tests build their stand-in internets on
// the same documentation subnets, and two bridges with one subnet in one
// namespace would route each other's traffic. A Docker daemon in a
// namespace of its own (scripts/docker-setup.sh) has its own lock, so its
// tests run beside Podman's. The namespace's inode names the file.
func HostLockPath() (string, error) {
	ns, err := os.Readlink("/proc/thread-self/ns/net") // "net:[4026531840]"
	if err != nil {
		return "", fmt.Errorf("which network namespace: %w", err)
	}
	inode := strings.TrimSuffix(strings.TrimPrefix(ns, "net:["), "]")
	if _, err := strconv.ParseUint(inode, 10, 64); err != nil {
		return "", fmt.Errorf("which network namespace: unexpected %q", ns)
	}
	return "/run/rbm-container-tests-net" + inode + ".lock", nil
}

// LockHost takes the container tests' lock of this network namespace,
// waiting for it; the returned function releases it. The kernel releases
// it too when the process ends, however it ends.
func LockHost() (func(), error) {
	path, err := HostLockPath()
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
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
