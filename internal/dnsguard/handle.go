package dnsguard

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/recipe-bottle/rbm/internal/events"
)

// Verdicts of the guard's own, beside the resolver's (events.Answered...).
const (
	NotHostName = events.NotHostName         // REFUSED, never forwarded
	Busy        = "refused: sentry busy"     // SERVFAIL: too many queries waiting
	Malformed   = "refused: malformed query" // FORMERR or REFUSED, never forwarded
)

// serveDNS answers one query: refused here, or forwarded to dnsmasq.
func (g *Guard) serveDNS(w dns.ResponseWriter, r *dns.Msg) {
	rules := g.rules.Load()
	client := clientAddr(w.RemoteAddr())
	ev := events.Event{Time: time.Now().UTC(), Kind: events.DNS, Client: client.String()}
	if len(r.Question) == 1 {
		q := r.Question[0]
		ev.Name, ev.Type = shown(q.Name), dns.Type(q.Qtype).String()
	}
	reply, verdict := g.answer(r, rules, isUDP(w))
	ev.Verdict = verdict
	if reply != nil && verdict == events.Answered {
		ev.Answers = answerTexts(reply)
		if addrs := answerAddrs(reply); len(addrs) > 0 && g.OnAnswer != nil && client != rules.Ignore {
			g.OnAnswer(ev.Name, addrs)
		}
	}
	if g.OnQuery != nil && client != rules.Ignore {
		g.OnQuery(ev)
	}
	if reply != nil {
		w.WriteMsg(reply)
	}
}

// answer decides and, for a host name, asks dnsmasq. A nil reply sends
// nothing (a response, not a query, from the bottle).
func (g *Guard) answer(r *dns.Msg, rules *Rules, udp bool) (*dns.Msg, string) {
	if bad := malformed(r); bad != "" {
		if r.Response {
			return nil, Malformed
		}
		return refuse(r, dns.RcodeFormatError), Malformed
	}
	q := r.Question[0]
	if checkName(q.Name) != "" {
		return refuse(r, dns.RcodeRefused), NotHostName
	}
	name := shown(q.Name)
	if q.Qclass == dns.ClassINET && rules.Allowed != nil && !rules.Allowed(name) && !underReady(name) {
		// dnsmasq would say the same; said here, it holds while dnsmasq
		// restarts and a flood of refused names never reaches it.
		return nxdomain(r), events.NotAllowed
	}
	if !underReady(name) { // the readiness query must reach dnsmasq
		if hit := g.cache.get(r, time.Now()); hit != nil {
			return fit(hit, r.IsEdns0(), udp), events.Answered
		}
	}
	select {
	case g.slots <- struct{}{}:
		defer func() { <-g.slots }()
	default:
		return refuse(r, dns.RcodeServerFailure), Busy
	}
	reply, err := g.forward(r, udp)
	if err != nil {
		return refuse(r, dns.RcodeServerFailure), events.UpstreamFailed
	}
	blocked := hasEDE(reply, dns.ExtendedErrorCodeBlocked)
	verdict := verdictOf(reply, blocked, rules, name)
	if verdict == events.Answered {
		g.cache.put(r, reply, time.Now())
	}
	return fit(reply, r.IsEdns0(), udp), verdict
}

// malformed says why r is not one plain query, or "".
func malformed(r *dns.Msg) string {
	switch {
	case r.Response:
		return "a response"
	case r.Opcode != dns.OpcodeQuery:
		return "not a query"
	case len(r.Question) != 1:
		return "not one question"
	}
	return ""
}

// forward asks dnsmasq over the bottle's transport, always offering EDNS
// so the rebinding refusal's Extended DNS Error comes back.
func (g *Guard) forward(r *dns.Msg, udp bool) (*dns.Msg, error) {
	q := r.Copy()
	if q.IsEdns0() == nil {
		q.SetEdns0(forwardSize, false)
	}
	var reply *dns.Msg
	var err error
	if udp {
		reply, err = g.udp.exchange(q)
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), exchangeTimeout)
		defer cancel()
		c := &dns.Client{Net: "tcp", Timeout: exchangeTimeout}
		reply, _, err = c.ExchangeContext(ctx, q, g.Backend.String())
	}
	if err != nil {
		return nil, err
	}
	reply.Id = r.Id
	return reply, nil
}

// fit makes reply what the bottle asked for: without the OPT record if it
// offered no EDNS (clientEDNS nil), and over UDP within its buffer.
func fit(reply *dns.Msg, clientEDNS *dns.OPT, udp bool) *dns.Msg {
	if clientEDNS == nil {
		stripOPT(reply)
	}
	if udp {
		size := dns.MinMsgSize
		if clientEDNS != nil {
			size = int(max(clientEDNS.UDPSize(), dns.MinMsgSize))
		}
		reply.Truncate(size)
	}
	return reply
}

// nxdomain is the allowlist's answer for a name outside it.
func nxdomain(r *dns.Msg) *dns.Msg {
	m := refuse(r, dns.RcodeNameError)
	m.RecursionAvailable = true
	if r.IsEdns0() != nil {
		m.SetEdns0(forwardSize, false)
	}
	return m
}

// refuse answers r with rcode and nothing else.
func refuse(r *dns.Msg, rcode int) *dns.Msg {
	m := new(dns.Msg)
	m.SetRcode(r, rcode)
	return m
}

func isUDP(w dns.ResponseWriter) bool {
	_, ok := w.LocalAddr().(*net.UDPAddr)
	return ok
}

func clientAddr(a net.Addr) netip.Addr {
	if ap, err := netip.ParseAddrPort(a.String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// answerTexts lists the answer's data as dnsmasq's log did: addresses and
// other data in order, CNAMEs left out (the chain's end is what matters).
func answerTexts(m *dns.Msg) []string {
	var out []string
	for _, rr := range m.Answer {
		switch v := rr.(type) {
		case *dns.A:
			out = append(out, v.A.String())
		case *dns.AAAA:
			out = append(out, v.AAAA.String())
		case *dns.CNAME:
		default:
			h := rr.Header().String()
			out = append(out, inert(strings.TrimPrefix(rr.String(), h)))
		}
	}
	return out
}

// answerAddrs lists the IPv4 addresses the answer carried.
func answerAddrs(m *dns.Msg) []netip.Addr {
	var out []netip.Addr
	for _, rr := range m.Answer {
		if a, ok := rr.(*dns.A); ok {
			if ip, ok := netip.AddrFromSlice(a.A.To4()); ok {
				out = append(out, ip)
			}
		}
	}
	return out
}
