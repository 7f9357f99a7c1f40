//go:build !linux

package gate

import (
	"errors"
	"net"
	"net/netip"
)

// originalDst needs Linux's conntrack (SO_ORIGINAL_DST): the gate runs in
// the sentry container only.
func originalDst(*net.TCPConn) (netip.AddrPort, error) {
	return netip.AddrPort{}, errors.New("original destination: SO_ORIGINAL_DST exists on Linux only")
}
