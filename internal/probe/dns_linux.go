package probe

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// probeDNS sends one query to s.Server (s.Target when Server is empty) and
// reports the reply's rcode and answers.
func probeDNS(ctx context.Context, s Spec) Result {
	m, err := dnsQuery(s)
	if err != nil {
		return Result{Outcome: Error, Detail: err.Error()}
	}
	server := s.Server
	if server == "" {
		server = s.Target
	}
	c := dns.Client{Net: "udp", Dialer: &net.Dialer{Control: recvErr}}
	if s.TCP || isTransfer(m.Question[0].Qtype) {
		c.Net = "tcp"
	}
	if dl, ok := ctx.Deadline(); ok {
		// The client's own default (2s) must not cut a longer probe short.
		c.Timeout = time.Until(dl)
	}
	in, _, err := c.ExchangeContext(ctx, m, withPort(server, "53"))
	if err != nil {
		return failed(err)
	}
	return Result{
		Outcome: Answered,
		Rcode:   dns.RcodeToString[in.Rcode],
		Answers: answers(in.Answer),
		TTL:     minTTL(in.Answer),
		Detail:  fmt.Sprintf("from %s over %s", server, c.Net),
	}
}

// minTTL is the lowest TTL among rrs (0 when there are none): how long the
// bottle may keep the answer.
func minTTL(rrs []dns.RR) uint32 {
	var low uint32
	for i, rr := range rrs {
		if ttl := rr.Header().Ttl; i == 0 || ttl < low {
			low = ttl
		}
	}
	return low
}

// dnsQuery builds the query message of s.
func dnsQuery(s Spec) (*dns.Msg, error) {
	if s.Name == "" {
		return nil, fmt.Errorf("dns probe: no name to query")
	}
	qtype, ok := dns.StringToType[strings.ToUpper(orDefault(s.QType, "A"))]
	if !ok {
		return nil, fmt.Errorf("dns probe: unknown query type %q", s.QType)
	}
	class := strings.ToUpper(orDefault(s.QClass, "IN"))
	if class == "CHAOS" {
		class = "CH"
	}
	qclass, ok := dns.StringToClass[class]
	if !ok {
		return nil, fmt.Errorf("dns probe: unknown query class %q", s.QClass)
	}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(s.Name), qtype)
	m.Question[0].Qclass = qclass
	return m, nil
}

// isTransfer reports whether qtype is a zone transfer, which needs TCP.
func isTransfer(qtype uint16) bool { return qtype == dns.TypeAXFR || qtype == dns.TypeIXFR }

// answers renders records for comparison: A and AAAA as bare addresses (what
// verifiers compare), the others in zone-file form.
func answers(rrs []dns.RR) []string {
	var out []string
	for _, rr := range rrs {
		switch r := rr.(type) {
		case *dns.A:
			out = append(out, r.A.String())
		case *dns.AAAA:
			out = append(out, r.AAAA.String())
		default:
			out = append(out, strings.ReplaceAll(rr.String(), "\t", " "))
		}
	}
	return out
}

// withPort adds port to addr when addr has none.
func withPort(addr, port string) string {
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return addr
	}
	return net.JoinHostPort(strings.Trim(addr, "[]"), port)
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
