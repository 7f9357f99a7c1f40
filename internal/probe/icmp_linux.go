package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"syscall"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// echoSeq is the sequence number of the one echo request a probe sends.
const echoSeq = 1

// probeICMP sends one ICMP echo request to s.Target and waits for the reply.
func probeICMP(ctx context.Context, s Spec) Result {
	dst, err := resolve4(ctx, s.Target)
	if err != nil {
		return failed(fmt.Errorf("icmp probe: %w", err))
	}
	c, raw, err := openEcho(dst)
	if err != nil {
		return failed(err)
	}
	defer c.Close()
	setDeadline(ctx, c)
	id := os.Getpid() & 0xffff
	msg := icmp.Message{Type: ipv4.ICMPTypeEcho, Body: &icmp.Echo{ID: id, Seq: echoSeq, Data: payload(s.Payload, 32)}}
	b, err := msg.Marshal(nil)
	if err != nil {
		return Result{Outcome: Error, Detail: fmt.Sprintf("icmp probe: %v", err)}
	}
	if _, err := c.Write(b); err != nil {
		return failed(err)
	}
	return awaitEcho(c, raw, id, dst)
}

// openEcho opens an unprivileged ICMP "ping" socket, which the kernel
// allows only to groups in net.ipv4.ping_group_range. When it refuses, a
// process holding NET_RAW can still ping through a raw socket, so that is
// tried before reporting the refusal.
func openEcho(dst netip.Addr) (c net.Conn, raw bool, err error) {
	c, err = socketConn(unix.SOCK_DGRAM, unix.IPPROTO_ICMP, dst)
	if err == nil || !isDenied(err) {
		return c, false, err
	}
	c, rawErr := socketConn(unix.SOCK_RAW, unix.IPPROTO_ICMP, dst)
	if rawErr != nil {
		return nil, false, fmt.Errorf("ping socket (net.ipv4.ping_group_range): %w; raw socket: %v", err, rawErr)
	}
	return c, true, nil
}

// awaitEcho reads until the echo reply arrives, an ICMP error is reported
// on the socket, or the deadline passes. A raw socket also sees other
// ICMP traffic (our own request, on loopback), which is skipped.
func awaitEcho(c net.Conn, raw bool, id int, dst netip.Addr) Result {
	buf := make([]byte, 1500)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return failed(err)
		}
		b := buf[:n]
		if raw {
			if b = ipv4Payload(b); b == nil {
				continue
			}
		}
		m, err := icmp.ParseMessage(1, b)
		if err != nil || m.Type != ipv4.ICMPTypeEchoReply {
			continue
		}
		// A ping socket rewrites the ID to its own, so only raw checks it.
		if e, ok := m.Body.(*icmp.Echo); ok && e.Seq == echoSeq && (!raw || e.ID == id) {
			return Result{Outcome: Answered, Detail: fmt.Sprintf("echo reply from %s", dst)}
		}
	}
}

// isDenied reports whether err is the kernel's EPERM or EACCES.
func isDenied(err error) bool {
	return errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES)
}
