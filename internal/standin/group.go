package standin

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
)

// group opens listeners one by one and starts serving only once all are
// bound, so Serve either reports readiness or fails having closed
// everything it opened: no half-started stand-in.
type group struct {
	closers []io.Closer
	serves  []func()
}

// closerFunc adapts a function to io.Closer.
type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// listen opens a TCP listener on addr.
func (g *group) listen(what, addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("standin: %s: %w", what, err)
	}
	g.closers = append(g.closers, l)
	return l, nil
}

// listenPacket opens a UDP socket on addr.
func (g *group) listenPacket(what, addr string) (net.PacketConn, error) {
	c, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("standin: %s: %w", what, err)
	}
	g.closers = append(g.closers, c)
	return c, nil
}

// serve queues f, run once every listener is bound; close ends it.
func (g *group) serve(f func(), close func() error) {
	g.serves = append(g.serves, f)
	g.closers = append(g.closers, closerFunc(close))
}

// closeAll closes in reverse order of opening.
func (g *group) closeAll() {
	for i := len(g.closers) - 1; i >= 0; i-- {
		_ = g.closers[i].Close()
	}
}

// run starts every server and closes them all when ctx ends.
func (g *group) run(ctx context.Context, wg *sync.WaitGroup) {
	for _, f := range g.serves {
		wg.Go(f)
	}
	wg.Go(func() {
		<-ctx.Done()
		g.closeAll()
	})
}
