package netinit

import (
	"context"
	"fmt"
	"syscall"
	"unsafe"
)

// linuxCapabilityVersion3 is _LINUX_CAPABILITY_VERSION_3 of capset(2).
const linuxCapabilityVersion3 = 0x20080522

type capHeader struct {
	version uint32
	pid     int32
}

type capData struct {
	effective, permitted, inheritable uint32
}

// DropCapabilities empties the effective, permitted and inheritable
// capability sets of every thread of this process. A guard that has set the
// routes keeps nothing it could misuse while it waits. It needs a binary
// built without cgo (as rbm's images are).
func DropCapabilities() error {
	hdr := capHeader{version: linuxCapabilityVersion3}
	var data [2]capData
	_, _, errno := syscall.AllThreadsSyscall(syscall.SYS_CAPSET,
		uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0)
	if errno != 0 {
		return fmt.Errorf("netinit: drop capabilities: %w", errno)
	}
	return nil
}

// Hold drops every capability and waits until ctx ends (SIGTERM from
// `podman stop`). The pod's guard container does this so the bottle can
// `--requires` it: Podman then starts the guard, which sets the routes,
// before the bottle on every start and restart of the pod.
func Hold(ctx context.Context) error {
	if err := DropCapabilities(); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}
