package denials

import (
	"net/netip"
	"testing"
)

func TestParseIPv4(t *testing.T) {
	hdr := func(proto byte, frag uint16, tail ...byte) []byte {
		b := []byte{0x45, 0, 0, 40, 0, 0, byte(frag >> 8), byte(frag), 64, proto, 0, 0, 10, 242, 0, 3, 198, 51, 100, 99}
		return append(b, tail...)
	}
	ports := []byte{0xc3, 0x50, 0x01, 0xbb} // 50000 -> 443
	cases := []struct {
		name string
		b    []byte
		want Packet
		err  bool
	}{
		{"tcp", hdr(6, 0, ports...), Packet{"tcp", netip.MustParseAddr("10.242.0.3"), netip.MustParseAddr("198.51.100.99"), 443}, false},
		{"udp", hdr(17, 0, ports...), Packet{"udp", netip.MustParseAddr("10.242.0.3"), netip.MustParseAddr("198.51.100.99"), 443}, false},
		{"icmp has no port", hdr(1, 0, 8, 0, 0, 0), Packet{"icmp", netip.MustParseAddr("10.242.0.3"), netip.MustParseAddr("198.51.100.99"), 0}, false},
		{"later fragment has no port", hdr(17, 100, ports...), Packet{"udp", netip.MustParseAddr("10.242.0.3"), netip.MustParseAddr("198.51.100.99"), 0}, false},
		{"other protocol", hdr(47, 0), Packet{"proto-47", netip.MustParseAddr("10.242.0.3"), netip.MustParseAddr("198.51.100.99"), 0}, false},
		{"cut short before ports", hdr(6, 0, 1), Packet{"tcp", netip.MustParseAddr("10.242.0.3"), netip.MustParseAddr("198.51.100.99"), 0}, false},
		{"IPv6", append([]byte{0x60}, make([]byte, 39)...), Packet{}, true},
		{"short", []byte{0x45, 0}, Packet{}, true},
		{"bad header length", append([]byte{0x4f}, hdr(6, 0)[1:]...), Packet{}, true},
	}
	for _, c := range cases {
		got, err := parseIPv4(c.b)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("%s: got %+v, %v; want %+v (error %v)", c.name, got, err, c.want, c.err)
		}
	}
}
