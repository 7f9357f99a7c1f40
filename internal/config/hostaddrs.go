package config

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/hostaddr"
)

// hostAddrs parses RBRR_HOST_ADDRESSES: IPv4 addresses that can name a
// host (hostaddr.Usable), at most hostaddr.Max, kept sorted and unique.
func (p *parser) hostAddrs(name string) []netip.Addr {
	var out []netip.Addr
	items := list(p.raw(name))
	if len(items) > hostaddr.Max {
		p.fail(name, fmt.Sprintf("(%d addresses)", len(items)), fmt.Sprintf("expected at most %d addresses", hostaddr.Max))
		return nil
	}
	for _, item := range items {
		a, err := netip.ParseAddr(item)
		if err != nil || !hostaddr.Usable(a) {
			p.fail(name, item, "expected an IPv4 address of the host (not loopback, link-local, multicast or 0.0.0.0)")
			continue
		}
		out = append(out, a)
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

// SetHostAddrs replaces RBRR_HOST_ADDRESSES with what rbm found on the
// host (hostaddr.Find), checked as a value from a file would be.
func (c *Config) SetHostAddrs(as []netip.Addr) error {
	p := &parser{settings: map[string]Setting{"RBRR_HOST_ADDRESSES": {Value: joinAddrs(as)}}}
	got := p.hostAddrs("RBRR_HOST_ADDRESSES")
	if len(p.problems) > 0 {
		return fmt.Errorf("the host's addresses: %w", &Error{Problems: p.problems})
	}
	c.HostAddrs = got
	c.Settings["RBRR_HOST_ADDRESSES"] = Setting{Value: joinAddrs(got), Origin: "found on the host"}
	return nil
}

func joinAddrs(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, " ")
}
