package probe

import (
	"context"
	"net"
)

// dialTCP tries one TCP handshake to s.Target over network ("tcp" or
// "tcp6") and closes the connection at once: no data is sent.
func dialTCP(ctx context.Context, network string, s Spec) Result {
	var d net.Dialer
	if s.TTL > 0 {
		// With IP_RECVERR the TTL's ICMP time-exceeded ends the connect at
		// once instead of being retried as a soft error until the timeout.
		d.Control = withTTL(s.TTL, recvErr)
	}
	c, err := d.DialContext(ctx, network, s.Target)
	if err != nil {
		return failed(err)
	}
	defer c.Close()
	return Result{Outcome: Connected, Detail: c.LocalAddr().String() + " -> " + c.RemoteAddr().String()}
}
