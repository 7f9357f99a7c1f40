package dns

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/miekg/dns"
)

// readyTimeout bounds one readiness query; dnsmasq answers it from memory.
const readyTimeout = time.Second

// Ready sends one real query to the resolver at server:53 and returns nil
// when it answers. The query is CHAOS TXT version.bind, which dnsmasq
// answers itself even when every other name is NXDOMAIN, so readiness does
// not depend on the upstream resolver being reachable.
func Ready(ctx context.Context, server netip.Addr) error {
	return ready(ctx, netip.AddrPortFrom(server, 53))
}

// WaitReady calls Ready every interval until it succeeds or ctx ends; then
// it returns the last failure, which says why the resolver never answered.
func WaitReady(ctx context.Context, server netip.Addr, interval time.Duration) error {
	for {
		err := Ready(ctx, server)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("dns resolver at %s never became ready: %w", server, err)
		case <-time.After(interval):
		}
	}
}

func ready(ctx context.Context, server netip.AddrPort) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	m := new(dns.Msg)
	m.SetQuestion("version.bind.", dns.TypeTXT)
	m.Question[0].Qclass = dns.ClassCHAOS
	c := &dns.Client{Net: "udp", Timeout: readyTimeout}
	r, _, err := c.ExchangeContext(ctx, m, server.String())
	if err != nil {
		return fmt.Errorf("dns readiness query to %s: %w", server, err)
	}
	return checkReadyAnswer(server, r)
}

// checkReadyAnswer accepts a successful answer carrying a TXT record.
func checkReadyAnswer(server netip.AddrPort, r *dns.Msg) error {
	if r.Rcode != dns.RcodeSuccess {
		return fmt.Errorf("dns readiness query to %s: answered %s", server, dns.RcodeToString[r.Rcode])
	}
	for _, rr := range r.Answer {
		if _, ok := rr.(*dns.TXT); ok {
			return nil
		}
	}
	return fmt.Errorf("dns readiness query to %s: answer holds no TXT record", server)
}
