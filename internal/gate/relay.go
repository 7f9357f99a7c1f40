package gate

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// dialTimeout bounds the gate's own connect to the original destination.
const dialTimeout = 10 * time.Second

// dial connects to dst from a socket marked firewall.GateMark: the only
// connections of the sentry's own that its OUTPUT lets out to learned
// addresses.
func dial(ctx context.Context, dst netip.AddrPort) (*net.TCPConn, error) {
	d := net.Dialer{Timeout: dialTimeout, Control: markGate}
	c, err := d.DialContext(ctx, "tcp4", dst.String())
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", dst, err)
	}
	return c.(*net.TCPConn), nil
}

// pipe relays in both directions until both have ended, passing each
// direction's end on as a half-close. Both ends are *net.TCPConn, so
// relayData splices in the kernel: no wrapper may stand between them.
func pipe(client, server *net.TCPConn) {
	done := make(chan struct{})
	go func() {
		copyHalf(server, client)
		close(done)
	}()
	copyHalf(client, server)
	<-done
}

// copyHalf copies src to dst, then closes dst for writing and src for
// reading: the other direction may go on.
func copyHalf(dst, src *net.TCPConn) {
	if err := relayData(dst, src); err != nil {
		// A reset on one side is passed on as a reset on the other.
		dst.SetLinger(0)
		dst.Close()
		src.Close()
		return
	}
	dst.CloseWrite()
	src.CloseRead()
}

// reset closes c with a TCP reset: the refused client fails at once,
// whatever RBRN_UPLINK_DENY says (the connection was already accepted).
func reset(c *net.TCPConn) {
	c.SetLinger(0)
	c.Close()
}
