package dns

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/recipe-bottle/rbm/internal/dnsguard"
)

// BenchmarkCached measures cached answers from the real dnsmasq, asked
// directly on loopback (what the bottle had before the DNS guard) and
// through the guard on the sentry's address (what it has now), in one
// namespace with a stand-in upstream. Compare ns/op (queries per second
// is its inverse) and the p50-µs metric of the two sub-benchmarks; the
// parallel variants keep 8 clients asking at once.
func BenchmarkCached(b *testing.B) {
	needRoot(b)
	ns := newTestNS(b, e2eSetup)
	serveUpstream(b, ns, upstreamIP.String(), &upstream{answers: e2eUpstream})
	ctx, cancel := context.WithTimeout(b.Context(), time.Minute)
	defer cancel()
	startSupervised(b, ns, e2ePolicy)
	waitReady(b, ctx, ns)
	g := &dnsguard.Guard{Listen: netip.AddrPortFrom(sentryIP, 53), Backend: Backend}
	if err := ns.do(g.Start); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(g.Close)
	for _, target := range []struct{ name, addr string }{{"dnsmasq", Backend.String()}, {"guard", netip.AddrPortFrom(sentryIP, 53).String()}} {
		b.Run(target.name, func(b *testing.B) { benchSerial(b, ns, target.addr) })
		b.Run(target.name+"-parallel", func(b *testing.B) { benchParallel(b, ns, target.addr) })
	}
}

// dial opens a UDP socket to addr inside the namespace; used from any
// thread afterwards, it stays there. (No b.Fatal inside ns.do: it would
// end the namespace's goroutine and hang Do.)
func dial(b *testing.B, ns *testNS, addr string) (*dns.Client, *dns.Conn) {
	c := &dns.Client{Net: "udp", Timeout: time.Second}
	var conn *dns.Conn
	if err := ns.do(func() (err error) { conn, err = c.Dial(addr); return err }); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	return c, conn
}

func benchSerial(b *testing.B, ns *testNS, addr string) {
	c, conn := dial(b, ns, addr)
	m := new(dns.Msg).SetQuestion("www.allowed.test.", dns.TypeA)
	if _, _, err := c.ExchangeWithConn(m, conn); err != nil { // fills the cache
		b.Fatal(err)
	}
	var took []time.Duration
	for b.Loop() {
		t0 := time.Now()
		r, _, err := c.ExchangeWithConn(m, conn)
		if err != nil || len(r.Answer) == 0 {
			b.Fatalf("query %s: %v %v", addr, err, r)
		}
		took = append(took, time.Since(t0))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds())/1000, "p50-µs")
}

func benchParallel(b *testing.B, ns *testNS, addr string) {
	b.SetParallelism(4) // 8 clients on 2 cores
	b.RunParallel(func(pb *testing.PB) {
		c, conn := dial(b, ns, addr)
		m := new(dns.Msg).SetQuestion("www.allowed.test.", dns.TypeA)
		for pb.Next() {
			if _, _, err := c.ExchangeWithConn(m, conn); err != nil {
				b.Errorf("query %s: %v", addr, err)
				return
			}
		}
	})
}
