package probe

import (
	"context"
	"net"
	"net/netip"
)

// resolveTCP does what a program does: ask s.Server for s.Name's A record,
// then connect at once to the first address on port s.Target. The outcome
// is the connection's; when the name does not resolve it is the query's
// (answered with an rcode, refused, timeout) and nothing connects. With a
// learning sentry this is what opens an address, and it shows there is no
// gap between the answer and the address being reachable.
func resolveTCP(ctx context.Context, s Spec) Result {
	q := s
	q.Kind, q.QType, q.Target = KindDNS, "A", ""
	dr := probeDNS(ctx, q)
	if dr.Outcome != Answered || dr.Rcode != "NOERROR" {
		// Not resolved: the DNS outcome tells how (answered NXDOMAIN,
		// refused, timeout); no connection is tried.
		dr.Detail = "not resolved, nothing connected: " + dr.Detail
		return dr
	}
	var first netip.Addr
	for _, a := range dr.Answers {
		if x, err := netip.ParseAddr(a); err == nil && x.Is4() {
			first = x
			break
		}
	}
	if !first.IsValid() {
		dr.Detail = "no IPv4 address in the answer, nothing connected: " + dr.Detail
		return dr
	}
	c := s
	c.Target = net.JoinHostPort(first.String(), s.Target)
	r := dialTCP(ctx, "tcp4", c)
	r.Rcode, r.Answers, r.TTL = dr.Rcode, dr.Answers, dr.TTL
	return r
}
