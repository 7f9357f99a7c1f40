package probe

import (
	"context"
	"net"
	"net/netip"
)

// resolveTCP does what a program does: ask s.Server for s.Name's A record,
// then connect at once to the first address on port s.Target. With a
// learning sentry this is what opens an address, and it shows there is no
// gap between the answer and the address being reachable.
func resolveTCP(ctx context.Context, s Spec) Result {
	q := s
	q.Kind, q.QType, q.Target = KindDNS, "A", ""
	dr := probeDNS(ctx, q)
	if dr.Outcome != Answered || dr.Rcode != "NOERROR" {
		dr.Outcome = Error
		dr.Detail = "not resolved: " + dr.Rcode + " " + dr.Detail
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
		return Result{Outcome: Error, Rcode: dr.Rcode, Answers: dr.Answers, Detail: "no IPv4 address in the answer"}
	}
	c := s
	c.Target = net.JoinHostPort(first.String(), s.Target)
	r := dialTCP(ctx, "tcp4", c)
	r.Rcode, r.Answers, r.TTL = dr.Rcode, dr.Answers, dr.TTL
	return r
}
