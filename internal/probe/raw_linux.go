package probe

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"
)

// defaultRawProto is GRE, the usual tunnel out of a filtered network.
const defaultRawProto = 47

// probeRawSpoof sends one UDP datagram whose IPv4 source is s.Source. The
// reply, if any, goes to the forged source, so the probe can only report
// that the packet left; the sentry's counters tell the rest.
func probeRawSpoof(ctx context.Context, s Spec) Result {
	dst, dport, err := hostPort4(ctx, s.Target)
	if err != nil {
		return Result{Outcome: Error, Detail: fmt.Sprintf("raw-spoof probe: %v", err)}
	}
	src, err := netip.ParseAddr(s.Source)
	if err != nil || !src.Is4() {
		return Result{Outcome: Error, Detail: fmt.Sprintf("raw-spoof probe: source %q is not an IPv4 address", s.Source)}
	}
	udp := udpDatagram(src, dst, randPort(), dport, payload(s.Payload, 16))
	pkt := append(ipv4Header(src, dst, unix.IPPROTO_UDP, rand.IntN(0xfffe)+1, 0, false, len(udp)), udp...)
	if err := sendRaw(dst, pkt); err != nil {
		return failed(err)
	}
	return Result{Outcome: Sent, Detail: fmt.Sprintf("%d-byte UDP from forged %s to %s", len(pkt), src, s.Target)}
}

// probeRawFrag sends a TCP SYN split into two IPv4 fragments, the flags in
// the second, and watches for the SYN-ACK or RST that says it got through.
func probeRawFrag(ctx context.Context, s Spec) Result {
	dst, dport, err := hostPort4(ctx, s.Target)
	if err != nil {
		return Result{Outcome: Error, Detail: fmt.Sprintf("raw-frag probe: %v", err)}
	}
	src, err := localAddrFor(dst)
	if err != nil {
		return failed(fmt.Errorf("raw-frag probe: %w", err))
	}
	w, err := openWatcher(unix.IPPROTO_TCP, unix.IPPROTO_ICMP)
	if err != nil {
		return failed(err)
	}
	defer w.close()
	sport := randPort()
	syn := tcpSYNSegment(src, dst, sport, dport, rand.Uint32())
	for _, f := range fragments(src, dst, unix.IPPROTO_TCP, rand.IntN(0xfffe)+1, syn, 8) {
		if err := sendRaw(dst, f); err != nil {
			return failed(err)
		}
	}
	return w.wait(ctx, synReply(dst, dport, sport))
}

// synReply matches the answer to a SYN sent from sport to dst:dport.
func synReply(dst netip.Addr, dport, sport uint16) matcher {
	return func(p ipv4Fields) (Outcome, string, bool) {
		if e, ok := icmpAbout(p); ok {
			o := e.orig
			return e.outcome, e.detail, o.dst == dst && o.proto == unix.IPPROTO_TCP && srcPort(o.payload) == sport
		}
		if p.proto != unix.IPPROTO_TCP || p.src != dst || len(p.payload) < tcpHeaderLen ||
			srcPort(p.payload) != dport || binary.BigEndian.Uint16(p.payload[2:]) != sport {
			return "", "", false
		}
		switch flags := p.payload[13]; {
		case flags&tcpRST != 0:
			return Refused, "RST from " + dst.String(), true
		case flags&(tcpSYN|tcpACK) == tcpSYN|tcpACK:
			return Connected, "SYN-ACK from " + dst.String(), true
		}
		return "", "", false
	}
}

// probeRawProto sends one packet of IP protocol s.Proto to s.Target and
// watches for a reply of that protocol or an ICMP error about it
// (protocol unreachable means the packet reached a host that does not
// speak it: refused).
func probeRawProto(ctx context.Context, s Spec) Result {
	dst, err := resolve4(ctx, s.Target)
	if err != nil {
		return Result{Outcome: Error, Detail: fmt.Sprintf("raw-proto probe: %v", err)}
	}
	proto := s.Proto
	if proto == 0 {
		proto = defaultRawProto
	}
	if proto < 1 || proto > 255 || proto == unix.IPPROTO_RAW {
		return Result{Outcome: Error, Detail: fmt.Sprintf("raw-proto probe: protocol %d out of range", proto)}
	}
	w, err := openWatcher(proto, unix.IPPROTO_ICMP)
	if err != nil {
		return failed(err)
	}
	defer w.close()
	// Zeros make a valid minimal GRE header; other protocols just see junk.
	data := make([]byte, max(s.Payload, 8))
	if _, err := w.conns[proto].(*net.IPConn).WriteToIP(data, &net.IPAddr{IP: dst.AsSlice()}); err != nil {
		return failed(err)
	}
	return w.wait(ctx, protoReply(dst, proto, data))
}

// protoReply matches a reply of protocol proto from dst, skipping our own
// packet (seen again when dst is a local address).
func protoReply(dst netip.Addr, proto int, sent []byte) matcher {
	return func(p ipv4Fields) (Outcome, string, bool) {
		if e, ok := icmpAbout(p); ok && proto != unix.IPPROTO_ICMP {
			return e.outcome, e.detail, e.orig.dst == dst && e.orig.proto == proto
		}
		if p.proto == proto && p.src == dst && !bytes.Equal(p.payload, sent) {
			return Connected, fmt.Sprintf("protocol %d packet from %s", proto, dst), true
		}
		return "", "", false
	}
}

// sendRaw sends a whole IPv4 packet, header included, through a raw
// socket (IPPROTO_RAW implies IP_HDRINCL). Needs NET_RAW.
func sendRaw(dst netip.Addr, pkt []byte) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_RAW)
	if err != nil {
		return os.NewSyscallError("socket", err)
	}
	defer unix.Close(fd)
	if err := unix.Sendto(fd, pkt, 0, &unix.SockaddrInet4{Addr: dst.As4()}); err != nil {
		return os.NewSyscallError("sendto", err)
	}
	return nil
}

// srcPort reads the source port of a TCP or UDP header.
func srcPort(b []byte) uint16 {
	if len(b) < 2 {
		return 0
	}
	return binary.BigEndian.Uint16(b)
}

// randPort picks a source port from Linux's ephemeral range.
func randPort() uint16 { return uint16(32768 + rand.IntN(28232)) }
