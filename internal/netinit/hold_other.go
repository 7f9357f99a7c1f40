//go:build !linux

package netinit

import (
	"context"
	"errors"
)

// errNotLinux: the guard runs inside the bottle's pod, which is Linux.
var errNotLinux = errors.New("netinit: runs on Linux only (inside the bottle's pod that rbm starts)")

// DropCapabilities needs Linux's capset(2).
func DropCapabilities() error { return errNotLinux }

// Hold needs Linux's capset(2).
func Hold(context.Context) error { return errNotLinux }
