package probe

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// rtnl is a NETLINK_ROUTE socket that sends one request at a time and
// waits for its acknowledgement. Netlink is local to the kernel: nothing
// it does puts a packet on the network.
type rtnl struct {
	fd  int
	seq uint32
}

// errNoAck reports that the kernel did not acknowledge a request in time.
var errNoAck = fmt.Errorf("netlink: no acknowledgement in time: %w", context.DeadlineExceeded)

// nlError is the error the kernel returned for one netlink request.
type nlError struct {
	op    string // e.g. "RTM_NEWROUTE 198.51.100.128/25"
	errno unix.Errno
}

// Error names the request, the errno and its symbol, e.g. "(EPERM)".
func (e *nlError) Error() string {
	return fmt.Sprintf("%s: %v (%s)", e.op, e.errno, unix.ErrnoName(e.errno))
}

// Unwrap exposes the errno to errors.Is.
func (e *nlError) Unwrap() error { return e.errno }

// dialRtnl opens a NETLINK_ROUTE socket in the current network namespace.
// Anyone may open one; the kernel checks CAP_NET_ADMIN per request.
func dialRtnl() (*rtnl, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, os.NewSyscallError("socket AF_NETLINK", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("bind AF_NETLINK", err)
	}
	return &rtnl{fd: fd}, nil
}

// close closes the socket.
func (c *rtnl) close() { unix.Close(c.fd) }

// do sends the request that build encodes for the next sequence number
// and waits, until ctx's deadline, for the kernel's acknowledgement. It
// returns nil when the kernel accepted the request, an *nlError when it
// refused it.
func (c *rtnl) do(ctx context.Context, op string, build func(seq uint32) []byte) error {
	c.seq++
	if err := c.setDeadline(ctx, unix.SO_SNDTIMEO); err != nil {
		return err
	}
	kernel := &unix.SockaddrNetlink{Family: unix.AF_NETLINK}
	if err := unix.Sendto(c.fd, build(c.seq), 0, kernel); err != nil {
		return fmt.Errorf("%s: %w", op, os.NewSyscallError("sendto", err))
	}
	errno, err := c.awaitAck(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if errno != 0 {
		return &nlError{op: op, errno: errno}
	}
	return nil
}

// awaitAck reads until the acknowledgement of request c.seq arrives and
// returns its errno (0: accepted).
func (c *rtnl) awaitAck(ctx context.Context) (unix.Errno, error) {
	buf := make([]byte, os.Getpagesize())
	for {
		if err := c.setDeadline(ctx, unix.SO_RCVTIMEO); err != nil {
			return 0, err
		}
		n, _, err := unix.Recvfrom(c.fd, buf, 0)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EAGAIN):
			return 0, errNoAck
		case err != nil:
			return 0, os.NewSyscallError("recvfrom", err)
		}
		errno, found, err := parseAck(buf[:n], c.seq)
		if err != nil || found {
			return errno, err
		}
	}
}

// setDeadline bounds the next send or receive (opt SO_SNDTIMEO or
// SO_RCVTIMEO) by ctx's deadline, if it has one.
func (c *rtnl) setDeadline(ctx context.Context, opt int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		return nil
	}
	// A zero timeout would mean "wait forever".
	tv := unix.NsecToTimeval(max(time.Until(deadline), time.Microsecond).Nanoseconds())
	if err := unix.SetsockoptTimeval(c.fd, unix.SOL_SOCKET, opt, &tv); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	return nil
}

// parseAck looks through the netlink messages in b for the NLMSG_ERROR
// message that acknowledges request seq, and returns its errno (0 for a
// plain acknowledgement). found is false when b holds no such message.
func parseAck(b []byte, seq uint32) (errno unix.Errno, found bool, err error) {
	ne := binary.NativeEndian
	for len(b) >= unix.SizeofNlMsghdr {
		l := int(ne.Uint32(b[0:4]))
		if l < unix.SizeofNlMsghdr || l > len(b) {
			return 0, false, fmt.Errorf("netlink: malformed message of length %d in %d bytes", l, len(b))
		}
		typ, s := ne.Uint16(b[4:6]), ne.Uint32(b[8:12])
		if typ == unix.NLMSG_ERROR && s == seq {
			if l < unix.SizeofNlMsghdr+4 {
				return 0, false, fmt.Errorf("netlink: short NLMSG_ERROR message (%d bytes)", l)
			}
			code := int32(ne.Uint32(b[unix.SizeofNlMsghdr:]))
			return unix.Errno(-code), true, nil
		}
		b = b[min(nlAlign(l), len(b)):]
	}
	return 0, false, nil
}

// routeMessage encodes an rtnetlink request of type typ (RTM_NEWROUTE or
// RTM_DELROUTE) for a blackhole route to p in the main table: no gateway
// and no interface needed, and harmless should it stay. The request asks
// for an acknowledgement; flags adds to NLM_F_REQUEST|NLM_F_ACK. The
// layout is struct nlmsghdr, struct rtmsg, then one RTA_DST attribute,
// in host byte order but for the address itself.
func routeMessage(typ, flags uint16, seq uint32, p netip.Prefix) []byte {
	addr := p.Addr().AsSlice()
	family := byte(unix.AF_INET)
	if p.Addr().Is6() {
		family = unix.AF_INET6
	}
	attrLen := unix.SizeofRtAttr + len(addr)
	size := unix.SizeofNlMsghdr + unix.SizeofRtMsg + nlAlign(attrLen)
	ne := binary.NativeEndian

	b := make([]byte, 0, size)
	// struct nlmsghdr: length, type, flags, sequence, port (0: the kernel).
	b = ne.AppendUint32(b, uint32(size))
	b = ne.AppendUint16(b, typ)
	b = ne.AppendUint16(b, unix.NLM_F_REQUEST|unix.NLM_F_ACK|flags)
	b = ne.AppendUint32(b, seq)
	b = ne.AppendUint32(b, 0)
	// struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope,
	// type, then 32 bits of flags.
	b = append(b, family, byte(p.Bits()), 0, 0,
		unix.RT_TABLE_MAIN, unix.RTPROT_STATIC, unix.RT_SCOPE_UNIVERSE, unix.RTN_BLACKHOLE)
	b = ne.AppendUint32(b, 0)
	// struct rtattr RTA_DST: length, type, then the address.
	b = ne.AppendUint16(b, uint16(attrLen))
	b = ne.AppendUint16(b, unix.RTA_DST)
	b = append(b, addr...)
	return b[:size] // pads with zeros, were the address not 4 or 16 bytes
}

// nlAlign rounds n up to netlink's 4-byte alignment.
func nlAlign(n int) int { return (n + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1) }
