package dnsguard

import (
	"net/netip"
	"time"

	"github.com/miekg/dns"
)

// poolSize is how many UDP sockets to dnsmasq stay open between queries:
// dialing one per query cost more than the guard's whole work. They are
// dialed at Start, from the sentry's namespace.
const poolSize = 32

// udpPool keeps connected UDP sockets to dnsmasq. A socket whose exchange
// failed is closed, never reused: a late answer to the failed query must
// not be read as the next query's.
type udpPool struct {
	backend netip.AddrPort
	conns   chan *dns.Conn
}

func newUDPPool(backend netip.AddrPort) (*udpPool, error) {
	p := &udpPool{backend: backend, conns: make(chan *dns.Conn, poolSize)}
	for range poolSize {
		c, err := p.dial()
		if err != nil {
			p.close()
			return nil, err
		}
		p.conns <- c
	}
	return p, nil
}

func (p *udpPool) dial() (*dns.Conn, error) {
	c := &dns.Client{Net: "udp", Timeout: exchangeTimeout, UDPSize: forwardSize}
	return c.Dial(p.backend.String())
}

// exchange asks dnsmasq on a pooled socket (or a new one when all are busy).
func (p *udpPool) exchange(q *dns.Msg) (*dns.Msg, error) {
	var conn *dns.Conn
	select {
	case conn = <-p.conns:
	default:
		var err error
		if conn, err = p.dial(); err != nil {
			return nil, err
		}
	}
	conn.UDPSize = forwardSize
	c := &dns.Client{Net: "udp", Timeout: exchangeTimeout, UDPSize: forwardSize}
	conn.SetDeadline(time.Now().Add(exchangeTimeout))
	reply, _, err := c.ExchangeWithConn(q, conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	select {
	case p.conns <- conn:
	default:
		conn.Close()
	}
	return reply, nil
}

func (p *udpPool) close() {
	for {
		select {
		case c := <-p.conns:
			c.Close()
		default:
			return
		}
	}
}
