package verify

import (
	"net"
	"net/netip"
)

// parseAddr takes an address or host:port.
func parseAddr(s string) (netip.Addr, error) {
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	return netip.ParseAddr(s)
}

// neighbour returns the first host of the prefix of the same size right
// after (or before) p: a neighbouring subnet.
func neighbour(p netip.Prefix, after bool) netip.Addr {
	size := uint32(1) << (32 - p.Bits())
	b := p.Addr().As4()
	n := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	if after {
		n += size
	} else {
		n -= size
	}
	n++
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}
