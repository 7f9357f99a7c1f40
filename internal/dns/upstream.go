package dns

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/miekg/dns"
)

// upstreamTimeout bounds one upstream check.
const upstreamTimeout = 2 * time.Second

// UpstreamState asks the upstream resolver itself (not through dnsmasq)
// for the root's NS records and says whether it answered, with the rcode
// and the time it took. Any answer counts: the question is whether names
// can resolve at all, which the sentry's own readiness deliberately does
// not depend on.
func UpstreamState(ctx context.Context, upstream netip.Addr) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, upstreamTimeout)
	defer cancel()
	m := new(dns.Msg).SetQuestion(".", dns.TypeNS)
	c := &dns.Client{Net: "udp", Timeout: upstreamTimeout}
	r, rtt, err := c.ExchangeContext(ctx, m, netip.AddrPortFrom(upstream, 53).String())
	if err != nil {
		return "", fmt.Errorf("upstream resolver %s does not answer: %w", upstream, err)
	}
	return fmt.Sprintf("upstream resolver %s answers (%s in %d ms)", upstream, dns.RcodeToString[r.Rcode], rtt.Milliseconds()), nil
}
