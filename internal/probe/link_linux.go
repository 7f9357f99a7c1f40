package probe

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"
)

// Ethernet types.
const (
	etherARP  = 0x0806
	etherTest = 0x88b5 // IEEE local experimental: nothing parses it
)

var broadcastMAC = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// linkFor is the interface the kernel would use toward dst.
func linkFor(dst netip.Addr) (*net.Interface, netip.Addr, error) {
	src, err := localAddrFor(dst)
	if err != nil {
		return nil, src, err
	}
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, src, err
	}
	for i := range ifs {
		addrs, _ := ifs[i].Addrs()
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr() == src {
				return &ifs[i], src, nil
			}
		}
	}
	return nil, src, fmt.Errorf("no interface holds %s", src)
}

// sendFrames sends whole Ethernet frames on ifc through an AF_PACKET
// socket. Needs NET_RAW.
func sendFrames(ifc *net.Interface, frames [][]byte) (int, error) {
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, os.NewSyscallError("socket", err)
	}
	defer unix.Close(fd)
	to := &unix.SockaddrLinklayer{Ifindex: ifc.Index, Halen: 6}
	for i, f := range frames {
		copy(to.Addr[:], f[:6])
		if err := unix.Sendto(fd, f, 0, to); err != nil {
			return i, os.NewSyscallError("sendto", err)
		}
	}
	return len(frames), nil
}

func frame(dst, src net.HardwareAddr, etherType uint16, body []byte) []byte {
	f := make([]byte, 14, 14+len(body))
	copy(f[0:], dst)
	copy(f[6:], src)
	binary.BigEndian.PutUint16(f[12:], etherType)
	return append(f, body...)
}

// arpReply is "ip is at mac", sent to everyone (a gratuitous reply).
func arpReply(mac net.HardwareAddr, ip netip.Addr) []byte {
	b := make([]byte, 28)
	binary.BigEndian.PutUint16(b[0:], 1)      // Ethernet
	binary.BigEndian.PutUint16(b[2:], 0x0800) // IPv4
	b[4], b[5] = 6, 4
	binary.BigEndian.PutUint16(b[6:], 2) // reply
	a := ip.As4()
	copy(b[8:], mac)
	copy(b[14:], a[:])
	copy(b[18:], broadcastMAC)
	copy(b[24:], a[:])
	return b
}

// probeARPClaim broadcasts gratuitous ARP replies claiming s.Target for
// this namespace's MAC: the poisoning of a neighbour's cache.
func probeARPClaim(ctx context.Context, s Spec) Result {
	return floodLink(ctx, s, 20, func(ifc *net.Interface, ip netip.Addr) ([]byte, string) {
		return frame(broadcastMAC, ifc.HardwareAddr, etherARP, arpReply(ifc.HardwareAddr, ip)),
			fmt.Sprintf("ARP replies on %s: %s is at %s", ifc.Name, ip, ifc.HardwareAddr)
	})
}

// probeMACFlood sends frames from n random source MACs on the interface
// toward s.Target: what fills a switch's forwarding table.
func probeMACFlood(ctx context.Context, s Spec) Result {
	return floodLink(ctx, s, 5000, func(ifc *net.Interface, _ netip.Addr) ([]byte, string) {
		return frame(broadcastMAC, randomMAC(), etherTest, payload(s.Payload, 46)), "frames from random MACs on " + ifc.Name
	})
}

// floodLink sends s.Count (def when unset) frames that next builds on the
// interface toward s.Target; next also says what a frame is, for the detail.
func floodLink(ctx context.Context, s Spec, def int, next func(*net.Interface, netip.Addr) ([]byte, string)) Result {
	n, err := count(s, def)
	if err != nil {
		return Result{Outcome: Error, Detail: err.Error()}
	}
	ip, err := resolve4(ctx, s.Target)
	if err != nil {
		return Result{Outcome: Error, Detail: fmt.Sprintf("%s probe: %v", s.Kind, err)}
	}
	ifc, _, err := linkFor(ip)
	if err != nil {
		return failed(fmt.Errorf("%s probe: %w", s.Kind, err))
	}
	frames := make([][]byte, n)
	var what string
	for i := range frames {
		frames[i], what = next(ifc, ip)
	}
	sent, err := sendFrames(ifc, frames)
	if err != nil {
		return failed(err)
	}
	return Result{Outcome: Sent, Detail: fmt.Sprintf("%d %s", sent, what)}
}
