// Package subnet chooses a free enclave subnet, and serialises the choice
// between rbm processes until the chosen network exists.
package subnet

import (
	"fmt"
	"net/netip"
)

// Size is the prefix length of a chosen enclave: room for the host's
// bridge, the sentry and the bottle, and 256 of them in a /16.
const Size = 24

// Choose returns the first /Size of pool that overlaps none of taken (the
// runtime's networks, the host's routes, the resolver). Pure. A default
// route (0.0.0.0/0) is not a use of every subnet: the caller leaves it out.
func Choose(pool netip.Prefix, taken []netip.Prefix) (netip.Prefix, error) {
	if !pool.Addr().Is4() || pool.Bits() > Size {
		return netip.Prefix{}, fmt.Errorf("subnet pool %s: expected an IPv4 prefix of /%d or larger", pool, Size)
	}
	pool = pool.Masked()
	step := uint32(1) << (32 - Size)
	first := as32(pool.Addr())
	for i := uint32(0); i < uint32(1)<<(Size-pool.Bits()); i++ {
		c := netip.PrefixFrom(from32(first+i*step), Size)
		if !overlapsAny(c, taken) {
			return c, nil
		}
	}
	return netip.Prefix{}, fmt.Errorf("every /%d of %s overlaps a network of the runtime or a host route: set RBRR_POD_SUBNET to a free subnet", Size, pool)
}

func overlapsAny(c netip.Prefix, taken []netip.Prefix) bool {
	for _, t := range taken {
		if t.IsValid() && t.Overlaps(c) {
			return true
		}
	}
	return false
}

func as32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func from32(x uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
}
