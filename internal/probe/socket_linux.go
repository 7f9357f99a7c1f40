package probe

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"
)

// socketConn opens an AF_INET socket of type typ and protocol proto and
// hands it to the Go runtime poller so that deadlines work. With a valid
// dst it is connected there and IP_RECVERR is on, so that ICMP errors from
// routers come back as read errors (see recvErr); unconnected sockets only
// watch traffic, and errors meant for other sockets must not reach them.
func socketConn(typ, proto int, dst netip.Addr) (net.Conn, error) {
	fd, err := unix.Socket(unix.AF_INET, typ|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	f := os.NewFile(uintptr(fd), "probe-socket")
	defer f.Close() // net.FileConn holds its own duplicate
	if dst.IsValid() {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_RECVERR, 1); err != nil {
			return nil, os.NewSyscallError("setsockopt IP_RECVERR", err)
		}
		if err := unix.Connect(fd, &unix.SockaddrInet4{Addr: dst.As4()}); err != nil {
			return nil, os.NewSyscallError("connect", err)
		}
	}
	c, err := net.FileConn(f)
	if err != nil {
		return nil, fmt.Errorf("wrap socket: %w", err)
	}
	return c, nil
}

// resolve4 returns the IPv4 address of host (a literal or a name).
func resolve4(ctx context.Context, host string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		if !a.Unmap().Is4() {
			return netip.Addr{}, fmt.Errorf("%s is not an IPv4 address", host)
		}
		return a.Unmap(), nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip4", host)
	if err != nil {
		return netip.Addr{}, err
	}
	return addrs[0].Unmap(), nil
}

// hostPort4 splits an IPv4 "host:port" target.
func hostPort4(ctx context.Context, target string) (netip.Addr, uint16, error) {
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		return netip.Addr{}, 0, fmt.Errorf("target %q: want host:port: %w", target, err)
	}
	p, err := net.LookupPort("tcp", port)
	if err != nil {
		return netip.Addr{}, 0, fmt.Errorf("target %q: %w", target, err)
	}
	a, err := resolve4(ctx, host)
	return a, uint16(p), err
}

// localAddrFor returns the source address the kernel would use toward dst.
// Connecting a UDP socket only consults the routing table: nothing is sent.
func localAddrFor(dst netip.Addr) (netip.Addr, error) {
	c, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(dst, 9)))
	if err != nil {
		return netip.Addr{}, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap(), nil
}
