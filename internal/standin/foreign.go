package standin

import (
	"net"
	"net/netip"

	"github.com/miekg/dns"
)

// Ports of the foreign resolver: DNS, multicast-DNS's port (a common
// side door), DNS over TLS.
const (
	portDNS  = 53
	portMDNS = 5353
	portDoT  = 853
)

// foreign plays a public resolver outside the sentry's control: any name
// resolves to one fixed address. Anything it counts is a leak.
type foreign struct {
	answer netip.Addr
	stats  *counters
}

// ServeDNS answers any A query with the fixed address, anything else with
// an empty NOERROR, and counts the query by transport.
func (f *foreign) ServeDNS(w dns.ResponseWriter, q *dns.Msg) {
	f.count(transport(w))
	m := new(dns.Msg)
	m.SetReply(q)
	m.RecursionAvailable = true
	for _, qq := range q.Question {
		m.Answer = append(m.Answer, addressRecords(qq.Name, qq.Qtype, []netip.Addr{f.answer})...)
	}
	_ = w.WriteMsg(m)
}

func (f *foreign) count(transport string) {
	f.stats.update(func(s *Stats) {
		s.Foreign.Total++
		s.Foreign.ByTransport[transport]++
	})
}

// bindForeign serves the foreign resolver on one address.
func (g *group) bindForeign(addr string, f *foreign) error {
	for _, port := range []int{portDNS, portMDNS} {
		if err := g.dns("foreign resolver", hostPort(addr, port), f); err != nil {
			return err
		}
	}
	l, err := g.listen("foreign DNS over TLS", hostPort(addr, portDoT))
	if err != nil {
		return err
	}
	g.serve(func() { acceptCount(l, func() { f.count("tcp/853") }) }, l.Close)
	return nil
}

// acceptCount accepts connections, counts and closes each: a completed
// handshake is all a DNS-over-TLS leak needs to be proven.
func acceptCount(l net.Listener, count func()) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		count()
		c.Close()
	}
}
