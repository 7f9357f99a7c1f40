package engine

import "net/netip"

// Network is what rbm needs of a runtime's network.
type Network struct {
	Name      string
	Interface string // the host's bridge interface
	Internal  bool
	Subnets   []netip.Prefix
	Labels    map[string]string
}

// Prefixes returns the network's IPv4 subnets.
func (n Network) Prefixes() []netip.Prefix {
	var out []netip.Prefix
	for _, p := range n.Subnets {
		if p.Addr().Is4() {
			out = append(out, p)
		}
	}
	return out
}
