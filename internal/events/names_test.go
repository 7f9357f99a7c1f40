package events

import (
	"net/netip"
	"testing"
)

func TestNamesBounded(t *testing.T) {
	n := NewNames(2)
	a, b, c := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"), netip.MustParseAddr("192.0.2.3")
	n.Remember("a.test", a)
	n.Remember("b.test", b)
	n.Remember("a2.test", a) // a known address: renamed, nothing evicted
	if n.Lookup(a) != "a2.test" || n.Lookup(b) != "b.test" {
		t.Errorf("lookup: %q %q", n.Lookup(a), n.Lookup(b))
	}
	n.Remember("c.test", c) // evicts the oldest address, a
	if n.Lookup(a) != "" || n.Lookup(c) != "c.test" || len(n.by) != 2 {
		t.Errorf("after eviction: a=%q c=%q, %d kept", n.Lookup(a), n.Lookup(c), len(n.by))
	}
}
