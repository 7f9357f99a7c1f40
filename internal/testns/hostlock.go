package testns

import (
	"fmt"
	"os"
	"syscall"
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
