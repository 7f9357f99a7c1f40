package dns

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// upstream is the stand-in upstream resolver: fixed A records, NXDOMAIN
// for the rest, and a count of the names it was asked.
type upstream struct {
	answers map[string]string // name without trailing dot -> IPv4
	mu      sync.Mutex
	asked   map[string]int
}

func (u *upstream) ServeDNS(w dns.ResponseWriter, q *dns.Msg) {
	r := new(dns.Msg).SetReply(q)
	r.Authoritative = true
	name := strings.TrimSuffix(strings.ToLower(q.Question[0].Name), ".")
	u.mu.Lock()
	u.asked[name]++
	u.mu.Unlock()
	addr, ok := u.answers[name]
	switch {
	case !ok:
		r.Rcode = dns.RcodeNameError
	case q.Question[0].Qtype == dns.TypeA:
		r.Answer = []dns.RR{&dns.A{
			Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
			A:   net.ParseIP(addr),
		}}
	}
	_ = w.WriteMsg(r)
}

// count returns how often name was asked.
func (u *upstream) count(name string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.asked[name]
}

// serveUpstream runs u on addr:53 (UDP and TCP) inside ns until the test
// ends, and in any case for at most a minute.
func serveUpstream(t testing.TB, ns *testNS, addr string, u *upstream) {
	t.Helper()
	u.asked = map[string]int{}
	var pc net.PacketConn
	var ln net.Listener
	err := ns.do(func() (err error) {
		if pc, err = net.ListenPacket("udp", addr+":53"); err != nil {
			return err
		}
		ln, err = net.Listen("tcp", addr+":53")
		return err
	})
	if err != nil {
		t.Fatalf("upstream listen: %v", err)
	}
	var started sync.WaitGroup
	started.Add(2)
	servers := []*dns.Server{
		{PacketConn: pc, Handler: u, NotifyStartedFunc: started.Done},
		{Listener: ln, Handler: u, NotifyStartedFunc: started.Done},
	}
	for _, s := range servers {
		go func() { _ = s.ActivateAndServe() }()
	}
	started.Wait() // so Shutdown cannot come first and leave one serving
	stop := func() {
		for _, s := range servers {
			_ = s.Shutdown()
		}
	}
	timer := time.AfterFunc(time.Minute, stop)
	t.Cleanup(func() { timer.Stop(); stop() })
}
