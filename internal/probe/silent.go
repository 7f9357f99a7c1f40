package probe

import (
	"context"
	"fmt"
	"net"
)

// defaultSilent is how many connections a tcp-silent probe opens by default.
const defaultSilent = 200

// holdSilent opens n connections to s.Target that send nothing, as a
// client that connects and stalls would, and keeps them open until
// release: a name gate that waits on each must still serve the next one.
// A connection that cannot be opened is an Error: the probe would not
// show what it claims.
func holdSilent(ctx context.Context, s Spec) (Result, func()) {
	n, err := count(s, defaultSilent)
	if err != nil {
		return Result{Outcome: Error, Detail: err.Error()}, func() {}
	}
	var conns []net.Conn
	release := func() {
		for _, c := range conns {
			c.Close()
		}
	}
	var d net.Dialer
	for len(conns) < n {
		c, err := d.DialContext(ctx, "tcp", s.Target)
		if err != nil {
			release()
			return Result{Outcome: Error, Detail: fmt.Sprintf("silent connection %d of %d to %s: %v", len(conns)+1, n, s.Target, err)}, func() {}
		}
		conns = append(conns, c)
	}
	return Result{Outcome: Connected, Detail: fmt.Sprintf("%d silent connections to %s held open", n, s.Target)}, release
}
