package events

import (
	"net/netip"
	"sync"
)

// Names remembers which name last resolved to each address, so a denial
// can say what the bottle was trying to reach. Bounded: the oldest
// addresses are forgotten first.
type Names struct {
	mu    sync.Mutex
	limit int
	by    map[netip.Addr]string
	order []netip.Addr // insertion order, for eviction
}

// NewNames keeps at most limit addresses (at least 1).
func NewNames(limit int) *Names {
	return &Names{limit: max(limit, 1), by: map[netip.Addr]string{}}
}

// Remember notes that name resolved to addr.
func (n *Names) Remember(name string, addr netip.Addr) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, known := n.by[addr]; !known {
		if len(n.order) >= n.limit {
			delete(n.by, n.order[0])
			n.order = n.order[1:]
		}
		n.order = append(n.order, addr)
	}
	n.by[addr] = name
}

// Lookup returns the name that last resolved to addr, or "".
func (n *Names) Lookup(addr netip.Addr) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.by[addr]
}
