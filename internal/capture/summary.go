package capture

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
)

// Summary is one line for a person: time, protocol, addresses, ports, length.
func (f Frame) Summary() string {
	ts := f.Time.Local().Format("15:04:05.000000")
	if len(f.Data) < 14 {
		return ts + " short frame"
	}
	eth := binary.BigEndian.Uint16(f.Data[12:14])
	b := f.Data[14:]
	switch eth {
	case 0x0806:
		return ts + " arp " + arp(b)
	case 0x86dd:
		return fmt.Sprintf("%s ipv6 (%d bytes)", ts, f.Orig)
	case 0x0800:
	default:
		return fmt.Sprintf("%s ethertype 0x%04x (%d bytes)", ts, eth, f.Orig)
	}
	if len(b) < 20 || b[0]>>4 != 4 {
		return ts + " bad ipv4"
	}
	ihl := int(b[0]&0x0f) * 4
	src, dst := netip.AddrFrom4([4]byte(b[12:16])), netip.AddrFrom4([4]byte(b[16:20]))
	proto, l4 := b[9], b[min(ihl, len(b)):]
	switch {
	case proto == 6 && len(l4) >= 14:
		return fmt.Sprintf("%s tcp %s:%d > %s:%d [%s] (%d bytes)", ts, src, port(l4, 0), dst, port(l4, 2), tcpFlags(l4[13]), f.Orig)
	case proto == 17 && len(l4) >= 8:
		return fmt.Sprintf("%s udp %s:%d > %s:%d (%d bytes)", ts, src, port(l4, 0), dst, port(l4, 2), f.Orig)
	case proto == 1 && len(l4) >= 2:
		return fmt.Sprintf("%s icmp %s > %s type %d code %d (%d bytes)", ts, src, dst, l4[0], l4[1], f.Orig)
	default:
		return fmt.Sprintf("%s ip proto %d %s > %s (%d bytes)", ts, proto, src, dst, f.Orig)
	}
}

func port(b []byte, at int) uint16 { return binary.BigEndian.Uint16(b[at : at+2]) }

func tcpFlags(f byte) string {
	var out []string
	for i, n := range []string{"FIN", "SYN", "RST", "PSH", "ACK", "URG"} {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return strings.Join(out, ",")
}

func arp(b []byte) string {
	if len(b) < 28 {
		return "short"
	}
	who, tell := netip.AddrFrom4([4]byte(b[24:28])), netip.AddrFrom4([4]byte(b[14:18]))
	if binary.BigEndian.Uint16(b[6:8]) == 2 {
		return fmt.Sprintf("reply %s is-at %x", tell, b[8:14])
	}
	return fmt.Sprintf("who-has %s tell %s", who, tell)
}
