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

// ReadyDomain is never forwarded: dnsmasq answers every name under it
// NXDOMAIN itself (a server=/invalid/ line), in every DNS mode.
const ReadyDomain = "invalid"

// readyName is the readiness query's name.
const readyName = "rbm-ready." + ReadyDomain + "."

// Ready sends one real query to the resolver at server:53 and returns nil
// when it answers. The query is A rbm-ready.invalid, which dnsmasq answers
// NXDOMAIN itself, so readiness does not depend on the upstream resolver
// being reachable, and it needs no identity answer (version.bind) that
// would tell the bottle what runs on the sentry.
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
	m.SetQuestion(readyName, dns.TypeA)
	c := &dns.Client{Net: "udp", Timeout: readyTimeout}
	r, _, err := c.ExchangeContext(ctx, m, server.String())
	if err != nil {
		return fmt.Errorf("dns readiness query to %s: %w", server, err)
	}
	return checkReadyAnswer(server, r)
}

// checkReadyAnswer accepts the NXDOMAIN dnsmasq gives the readiness name;
// anything else (SERVFAIL while it starts, REFUSED) is not ready.
func checkReadyAnswer(server netip.AddrPort, r *dns.Msg) error {
	if r.Rcode != dns.RcodeNameError || len(r.Answer) > 0 {
		return fmt.Errorf("dns readiness query to %s: answered %s with %d records, want NXDOMAIN", server, dns.RcodeToString[r.Rcode], len(r.Answer))
	}
	return nil
}
