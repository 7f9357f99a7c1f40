package standin

import (
	"io"
	"net"
	"net/netip"
	"time"
)

// Bounds of one TCP echo session: nobody keeps a stand-in busy.
const (
	echoIdle  = 5 * time.Second
	echoBytes = 64 << 10
)

// bindEcho serves TCP and UDP echo on addr ("ip:port").
func (g *group) bindEcho(addr string, stats *counters) error {
	l, err := g.listen("echo", addr)
	if err != nil {
		return err
	}
	pc, err := g.listenPacket("echo", addr)
	if err != nil {
		return err
	}
	g.serve(func() { echoTCP(l, addr, stats) }, l.Close)
	g.serve(func() { echoUDP(pc, addr, stats) }, pc.Close)
	return nil
}

// echoTCP echoes each connection, bounded in time and size.
func echoTCP(l net.Listener, addr string, stats *counters) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		countEcho(stats, "tcp "+addr, c.RemoteAddr())
		go func() {
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(echoIdle))
			_, _ = io.Copy(c, io.LimitReader(c, echoBytes))
		}()
	}
}

// echoUDP sends every datagram back to its source.
func echoUDP(pc net.PacketConn, addr string, stats *counters) {
	buf := make([]byte, 65535)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		countEcho(stats, "udp "+addr, from)
		_, _ = pc.WriteTo(buf[:n], from)
	}
}

// countEcho counts one datagram or connection by listener and by source.
func countEcho(stats *counters, key string, from net.Addr) {
	src := from.String()
	if ap, err := netip.ParseAddrPort(src); err == nil {
		src = ap.Addr().Unmap().String()
	}
	stats.update(func(s *Stats) {
		s.Echo[key]++
		s.EchoSources[src]++
	})
}
