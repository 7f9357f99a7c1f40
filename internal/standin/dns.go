package standin

import (
	"net"
	"net/netip"
	"strconv"

	"github.com/miekg/dns"
)

// answerTTL is the TTL of every stand-in answer.
const answerTTL = 60

// dns serves h over UDP and TCP on addr.
func (g *group) dns(what, addr string, h dns.Handler) error {
	pc, err := g.listenPacket(what, addr)
	if err != nil {
		return err
	}
	l, err := g.listen(what, addr)
	if err != nil {
		return err
	}
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: l, Handler: h}} {
		// Shutdown fails if the server has not started yet; the listener,
		// closed after it, then ends the server anyway.
		g.serve(func() { _ = srv.ActivateAndServe() }, func() error { _ = srv.Shutdown(); return nil })
	}
	return nil
}

// addressRecords returns the A or AAAA records of name among addrs.
func addressRecords(name string, qtype uint16, addrs []netip.Addr) []dns.RR {
	var rrs []dns.RR
	for _, a := range addrs {
		hdr := dns.RR_Header{Name: name, Rrtype: qtype, Class: dns.ClassINET, Ttl: answerTTL}
		switch {
		case qtype == dns.TypeA && a.Is4():
			rrs = append(rrs, &dns.A{Hdr: hdr, A: a.AsSlice()})
		case qtype == dns.TypeAAAA && a.Is6():
			rrs = append(rrs, &dns.AAAA{Hdr: hdr, AAAA: a.AsSlice()})
		}
	}
	return rrs
}

// transport names how a query arrived: "udp/53", "tcp/5353", ...
func transport(w dns.ResponseWriter) string {
	port := 0
	if ap, err := netip.ParseAddrPort(w.LocalAddr().String()); err == nil {
		port = int(ap.Port())
	}
	return w.RemoteAddr().Network() + "/" + strconv.Itoa(port)
}

// hostPort joins an address and a port.
func hostPort(addr string, port int) string { return net.JoinHostPort(addr, strconv.Itoa(port)) }
