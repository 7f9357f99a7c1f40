package denials

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"
)

// Packet is what a denial says about the refused packet.
type Packet struct {
	Proto string // "tcp", "udp", "icmp", or the protocol number
	Src   netip.Addr
	Dst   netip.Addr
	Port  uint16 // destination port (TCP, UDP, SCTP); 0 otherwise
}

var errShort = errors.New("not an IPv4 packet")

// parseIPv4 reads the header of an IPv4 packet as copied by the kernel
// (LogSnap bytes at most): addresses, protocol and destination port.
func parseIPv4(b []byte) (Packet, error) {
	if len(b) < 20 || b[0]>>4 != 4 {
		return Packet{}, errShort
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < 20 || len(b) < ihl {
		return Packet{}, errShort
	}
	p := Packet{
		Src: netip.AddrFrom4([4]byte(b[12:16])),
		Dst: netip.AddrFrom4([4]byte(b[16:20])),
	}
	proto := b[9]
	p.Proto = protoName(proto)
	fragOffset := binary.BigEndian.Uint16(b[6:8]) & 0x1fff
	if (proto == 6 || proto == 17 || proto == 132) && fragOffset == 0 && len(b) >= ihl+4 {
		p.Port = binary.BigEndian.Uint16(b[ihl+2 : ihl+4])
	}
	return p, nil
}

func protoName(n byte) string {
	switch n {
	case 1:
		return "icmp"
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 132:
		return "sctp"
	default:
		return "proto-" + strconv.Itoa(int(n))
	}
}
