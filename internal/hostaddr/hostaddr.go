// Package hostaddr finds the host's own IPv4 addresses: the sentry refuses
// them to global egress and to learned answers (policy.HostAddrs), so rbm
// start and rbm reload hand them over, and a laptop that changed networks
// is covered after a reload.
package hostaddr

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Slirp4netnsHost is where rootless Podman's slirp4netns maps the host's
// loopback: a container reaching it reaches the host. pasta maps the
// host's default gateway instead, which Find adds from the routing table.
var Slirp4netnsHost = netip.MustParseAddr("10.0.2.2")

// Max is the most addresses Find returns and the configuration accepts.
const Max = 256

// Sources is the seam to the host: its interfaces' addresses and its IPv4
// routing table (/proc/net/route's text).
type Sources struct {
	Addrs  func() ([]net.Addr, error)
	Routes func() (string, error)
}

// System reads the machine rbm runs on.
func System() Sources {
	return Sources{Addrs: net.InterfaceAddrs, Routes: func() (string, error) {
		b, err := os.ReadFile("/proc/net/route")
		return string(b), err
	}}
}

// Find returns the host's IPv4 addresses, its default gateways and
// Slirp4netnsHost, sorted and without duplicates. Loopback, link-local and
// unspecified addresses are left out: no setting opens those anyway.
func Find(s Sources) ([]netip.Addr, error) {
	addrs, err := s.Addrs()
	if err != nil {
		return nil, fmt.Errorf("the host's addresses: %w", err)
	}
	out := []netip.Addr{Slirp4netnsHost}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if x, ok := netip.AddrFromSlice(n.IP); ok {
				out = append(out, x.Unmap())
			}
		}
	}
	routes, err := s.Routes()
	if err != nil {
		return nil, fmt.Errorf("the host's routes: %w", err)
	}
	out = append(out, Gateways(routes)...)
	out = Clean(out)
	if len(out) > Max {
		return nil, fmt.Errorf("the host has %d IPv4 addresses, more than the %d rbm hands to the sentry", len(out), Max)
	}
	return out, nil
}

// Clean keeps the IPv4 addresses that name a host (not loopback,
// link-local, multicast or unspecified), sorted, without duplicates.
func Clean(as []netip.Addr) []netip.Addr {
	var out []netip.Addr
	for _, a := range as {
		if Usable(a) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

// Usable reports whether a can be a host's own IPv4 address worth refusing.
func Usable(a netip.Addr) bool {
	return a.Is4() && !a.IsLoopback() && !a.IsLinkLocalUnicast() && !a.IsMulticast() && !a.IsUnspecified() &&
		a != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// Gateways reads the default routes' gateways from /proc/net/route's text
// (little-endian hex fields); malformed lines are skipped.
func Gateways(text string) []netip.Addr {
	var out []netip.Addr
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || f[1] != "00000000" {
			continue
		}
		v, err := strconv.ParseUint(f[2], 16, 32)
		if err != nil || v == 0 {
			continue
		}
		out = append(out, netip.AddrFrom4([4]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}))
	}
	return out
}
