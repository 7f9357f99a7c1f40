package gate

import (
	"errors"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/recipe-bottle/rbm/internal/firewall"
)

// markGate sets firewall.GateMark (SO_MARK) on a socket before it connects.
func markGate(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_MARK, firewall.GateMark)
	})
	return errors.Join(err, serr)
}
