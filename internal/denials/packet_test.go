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

// FuzzParseIPv4: whatever the bottle's packet holds (the kernel copies its
// header into the NFLOG message), parsing never panics, never reads past
// it, and what it reports is the header's own bytes.
func FuzzParseIPv4(f *testing.F) {
	f.Add([]byte{0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0, 10, 242, 0, 3, 198, 51, 100, 99, 0xc3, 0x50, 0x01, 0xbb})
	f.Add([]byte{0x4f, 0, 0, 40, 0, 0, 0, 0, 64, 17, 0, 0, 10, 242, 0, 3, 198, 51, 100, 99})
	f.Add([]byte{0x46, 0, 0, 40, 0, 0, 0x20, 0, 64, 132, 0, 0, 10, 242, 0, 3, 198, 51, 100, 99, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parseIPv4(b)
		if err != nil {
			if p != (Packet{}) {
				t.Fatalf("an error with a packet: %+v", p)
			}
			return
		}
		if len(b) < 20 || b[0]>>4 != 4 {
			t.Fatalf("accepted %d bytes of version %d", len(b), b[0]>>4)
		}
		if p.Src != netip.AddrFrom4([4]byte(b[12:16])) || p.Dst != netip.AddrFrom4([4]byte(b[16:20])) {
			t.Fatalf("addresses %v -> %v are not the header's", p.Src, p.Dst)
		}
		ihl := int(b[0]&0x0f) * 4
		if p.Port != 0 && (len(b) < ihl+4 || (p.Proto != "tcp" && p.Proto != "udp" && p.Proto != "sctp")) {
			t.Fatalf("port %d from %d bytes (header %d) of %s", p.Port, len(b), ihl, p.Proto)
		}
		for _, r := range p.Proto {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				t.Fatalf("protocol name %q is not plain", p.Proto)
			}
		}
	})
}
