//go:build !linux

package gate

import (
	"errors"
	"syscall"
)

// markGate needs Linux's SO_MARK: the gate runs in the sentry container only.
func markGate(string, string, syscall.RawConn) error {
	return errors.New("gate: SO_MARK exists on Linux only")
}
