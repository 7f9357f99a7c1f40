package probe

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
)

// Sizes and flags of the headers the raw probes build by hand.
const (
	ipv4HeaderLen = 20
	udpHeaderLen  = 8
	tcpHeaderLen  = 20
	ipMoreFrags   = 0x2000
	tcpSYN        = 0x02
	tcpRST        = 0x04
	tcpACK        = 0x10
)

// ipv4Header builds a header without options. fragOff is in 8-byte units.
func ipv4Header(src, dst netip.Addr, proto, id, fragOff int, more bool, payloadLen int) []byte {
	h := make([]byte, ipv4HeaderLen)
	h[0] = 0x45 // version 4, 5 words
	binary.BigEndian.PutUint16(h[2:], uint16(ipv4HeaderLen+payloadLen))
	binary.BigEndian.PutUint16(h[4:], uint16(id))
	frag := uint16(fragOff)
	if more {
		frag |= ipMoreFrags
	}
	binary.BigEndian.PutUint16(h[6:], frag)
	h[8] = 64
	h[9] = byte(proto)
	s, d := src.As4(), dst.As4()
	copy(h[12:16], s[:])
	copy(h[16:20], d[:])
	binary.BigEndian.PutUint16(h[10:], checksum(h, 0))
	return h
}

// udpDatagram builds a UDP header and data, checksummed for src and dst.
func udpDatagram(src, dst netip.Addr, sport, dport uint16, data []byte) []byte {
	b := make([]byte, udpHeaderLen+len(data))
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint16(b[4:], uint16(len(b)))
	copy(b[udpHeaderLen:], data)
	sum := checksum(b, pseudoSum(src, dst, 17, len(b)))
	if sum == 0 {
		sum = 0xffff // zero means "no checksum" in UDP
	}
	binary.BigEndian.PutUint16(b[6:], sum)
	return b
}

// tcpSYNSegment builds a bare SYN (no options), checksummed for src and dst.
func tcpSYNSegment(src, dst netip.Addr, sport, dport uint16, seq uint32) []byte {
	return tcpSegment(src, dst, sport, dport, seq, tcpSYN)
}

// tcpSegment is a bare TCP header with flags (SYN, RST, ACK, ...).
func tcpSegment(src, dst netip.Addr, sport, dport uint16, seq uint32, flags byte) []byte {
	b := make([]byte, tcpHeaderLen)
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint32(b[4:], seq)
	b[12] = (tcpHeaderLen / 4) << 4
	b[13] = flags
	if flags&tcpACK != 0 {
		binary.BigEndian.PutUint32(b[8:], rand.Uint32()) // an acknowledgement of nothing we know
	}
	binary.BigEndian.PutUint16(b[14:], 64240)
	binary.BigEndian.PutUint16(b[16:], checksum(b, pseudoSum(src, dst, 6, len(b))))
	return b
}

// fragments splits payload into IPv4 fragments whose first one carries
// only first bytes (a multiple of 8): with 8, a TCP header's flags land in
// the second fragment, the classic way around filters that look at the
// first fragment only.
func fragments(src, dst netip.Addr, proto, id int, payload []byte, first int) [][]byte {
	head := append(ipv4Header(src, dst, proto, id, 0, true, first), payload[:first]...)
	rest := payload[first:]
	tail := append(ipv4Header(src, dst, proto, id, first/8, false, len(rest)), rest...)
	return [][]byte{head, tail}
}

// pseudoSum is the partial checksum of the TCP/UDP pseudo-header.
func pseudoSum(src, dst netip.Addr, proto, length int) uint32 {
	s, d := src.As4(), dst.As4()
	var sum uint32
	for i := 0; i < 4; i += 2 {
		sum += uint32(s[i])<<8 | uint32(s[i+1])
		sum += uint32(d[i])<<8 | uint32(d[i+1])
	}
	return sum + uint32(proto) + uint32(length)
}

// checksum is the Internet checksum of b, starting from a partial sum.
func checksum(b []byte, sum uint32) uint16 {
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}

// ipv4Fields is what the raw probes need from a received IPv4 packet.
type ipv4Fields struct {
	src, dst netip.Addr
	proto    int
	payload  []byte
}

// parseIPv4 reads an IPv4 header; ok is false for anything malformed.
func parseIPv4(b []byte) (f ipv4Fields, ok bool) {
	if len(b) < ipv4HeaderLen || b[0]>>4 != 4 {
		return f, false
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < ipv4HeaderLen || len(b) < ihl {
		return f, false
	}
	f.src = netip.AddrFrom4([4]byte(b[12:16]))
	f.dst = netip.AddrFrom4([4]byte(b[16:20]))
	f.proto = int(b[9])
	f.payload = b[ihl:]
	return f, true
}

// ipv4Payload returns what follows the IPv4 header, or nil.
func ipv4Payload(b []byte) []byte {
	f, ok := parseIPv4(b)
	if !ok {
		return nil
	}
	return f.payload
}
