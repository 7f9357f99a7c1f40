package gate

import (
	"errors"
	"io"
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// relayData copies src to dst until src ends, spliced in the kernel, and
// holds no splice pipe while src is idle: it waits for src to be readable
// with no pipe, then splices exactly what src holds. A plain io.Copy
// would wait inside the splice, holding a pipe (two descriptors) per
// direction for as long as the connection is idle: two thirds of an idle
// relayed connection's descriptors.
func relayData(dst, src *net.TCPConn) error {
	raw, err := src.SyscallConn()
	if err != nil {
		return err
	}
	for {
		n, err := readable(raw)
		if err != nil || n == 0 {
			return err // n == 0: src ended
		}
		// Both ends are *net.TCPConn and the limit an *io.LimitedReader:
		// ReadFrom splices, with a pipe from Go's pool for this call only.
		moved, err := dst.ReadFrom(&io.LimitedReader{R: src, N: n})
		if err != nil || moved == 0 {
			// Nothing moved is the end, as for io.Copy: never a loop on a
			// count the splice does not take (an urgent byte before a FIN).
			return err
		}
	}
}

// readable waits, in Go's poller, until the socket holds data or has
// ended, and returns how many bytes it holds (0: it ended).
func readable(raw syscall.RawConn) (int64, error) {
	var n int
	var err error
	waitErr := raw.Read(func(fd uintptr) bool {
		n, err = queued(int(fd))
		return !errors.Is(err, unix.EAGAIN)
	})
	if waitErr != nil {
		return 0, waitErr
	}
	return int64(n), err
}

// queued returns the bytes queued on socket fd, 0 at its end, or EAGAIN
// when there are none yet.
func queued(fd int) (int, error) {
	if n, err := unix.IoctlGetInt(fd, unix.SIOCINQ); err != nil || n > 0 {
		return n, err
	}
	// Nothing queued: nothing yet, or the end. A peek tells them apart
	// without taking a byte.
	var peek [1]byte
	for {
		m, _, err := unix.Recvfrom(fd, peek[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil || m == 0:
			return 0, err // EAGAIN, a reset, or the end
		}
		// Data came in between: count it again (at least the byte seen).
		n, err := unix.IoctlGetInt(fd, unix.SIOCINQ)
		return max(n, m), err
	}
}
