package probe

import (
	"encoding/binary"
	"net/netip"
	"testing"
)

var (
	testSrc = netip.MustParseAddr("192.0.2.7")
	testDst = netip.MustParseAddr("198.51.100.9")
)

// A correct Internet checksum makes the checksum over the whole header
// (pseudo-header included) come out as zero.
func TestChecksums(t *testing.T) {
	h := ipv4Header(testSrc, testDst, 6, 42, 0, false, 20)
	if c := checksum(h, 0); c != 0 {
		t.Errorf("IPv4 header does not verify: %#04x", c)
	}
	syn := tcpSYNSegment(testSrc, testDst, 40000, 443, 7)
	if c := checksum(syn, pseudoSum(testSrc, testDst, 6, len(syn))); c != 0 {
		t.Errorf("TCP segment does not verify: %#04x", c)
	}
	udp := udpDatagram(testSrc, testDst, 40000, 53, []byte("odd"))
	if c := checksum(udp, pseudoSum(testSrc, testDst, 17, len(udp))); c != 0 {
		t.Errorf("UDP datagram does not verify: %#04x", c)
	}
}

func TestFragmentsSplitTCPFlags(t *testing.T) {
	syn := tcpSYNSegment(testSrc, testDst, 40000, 443, 7)
	fs := fragments(testSrc, testDst, 6, 42, syn, 8)
	if len(fs) != 2 {
		t.Fatalf("%d fragments, want 2", len(fs))
	}
	first, _ := parseIPv4(fs[0])
	second, _ := parseIPv4(fs[1])
	if len(first.payload) != 8 || len(second.payload) != 12 {
		t.Errorf("payloads of %d and %d bytes, want 8 and 12", len(first.payload), len(second.payload))
	}
	if f := binary.BigEndian.Uint16(fs[0][6:]); f != ipMoreFrags {
		t.Errorf("first fragment flags/offset %#04x, want MF at offset 0", f)
	}
	if f := binary.BigEndian.Uint16(fs[1][6:]); f != 1 {
		t.Errorf("second fragment flags/offset %#04x, want offset 1 (8 bytes), no MF", f)
	}
	// TCP flags sit at byte 13 of the header: byte 5 of the second fragment.
	if second.payload[13-8] != tcpSYN {
		t.Errorf("SYN flag not in the second fragment")
	}
	if binary.BigEndian.Uint16(fs[0][4:]) != binary.BigEndian.Uint16(fs[1][4:]) {
		t.Error("fragments carry different IP ids")
	}
}
