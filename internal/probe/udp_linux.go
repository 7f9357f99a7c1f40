package probe

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// probeUDP sends one datagram to s.Target and waits for any reply.
func probeUDP(ctx context.Context, s Spec) Result {
	d := net.Dialer{Control: withTTL(s.TTL, recvErr)}
	c, err := d.DialContext(ctx, "udp", s.Target)
	if err != nil {
		return failed(err)
	}
	defer c.Close()
	setDeadline(ctx, c)
	if _, err := c.Write(payload(s.Payload, 16)); err != nil {
		return failed(err)
	}
	buf := make([]byte, 2048)
	n, err := c.Read(buf)
	if err != nil {
		return failed(err)
	}
	return Result{Outcome: Answered, Detail: fmt.Sprintf("%d bytes from %s", n, c.RemoteAddr())}
}

// recvErr turns on IP_RECVERR. Without it Linux reports only "hard" ICMP
// errors (port unreachable) to a UDP socket and silently drops host and
// network unreachable, which would then look like a timeout.
func recvErr(network, _ string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		if network == "udp6" || network == "tcp6" {
			serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_RECVERR, 1)
			return
		}
		serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_RECVERR, 1)
	})
	if err != nil {
		return err
	}
	return serr
}

// withTTL wraps a dialer's control function to set IP_TTL first (ttl > 0).
func withTTL(ttl int, next func(string, string, syscall.RawConn) error) func(string, string, syscall.RawConn) error {
	if ttl <= 0 {
		return next
	}
	return func(network, addr string, rc syscall.RawConn) error {
		var serr error
		if err := rc.Control(func(fd uintptr) { serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_TTL, ttl) }); err != nil {
			return err
		}
		if serr != nil {
			return os.NewSyscallError("setsockopt IP_TTL", serr)
		}
		return next(network, addr, rc)
	}
}

// setDeadline applies ctx's deadline to c's reads and writes.
func setDeadline(ctx context.Context, c interface{ SetDeadline(time.Time) error }) {
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
}

// payload returns n recognisable bytes, or def of them when n is zero.
func payload(n, def int) []byte {
	if n <= 0 {
		n = def
	}
	return bytes.Repeat([]byte("rbm-probe "), n/10+1)[:n]
}
