package dnsguard

import (
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/recipe-bottle/rbm/internal/events"
)

// backend stands in for dnsmasq on loopback: it answers *.blocked.test as a
// rebinding refusal (NOERROR, no answer, EDE 15), *.fail.test SERVFAIL,
// names under allowed.test with 198.51.100.7, the rest NXDOMAIN; it counts
// what reaches it.
type backend struct {
	addr  netip.AddrPort
	count atomic.Int64
	stop  func()
}

func startBackend(t testing.TB) *backend {
	t.Helper()
	b := &backend{}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	b.addr = netip.MustParseAddrPort(pc.LocalAddr().String())
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		b.count.Add(1)
		m := new(dns.Msg)
		m.SetReply(r)
		name := strings.ToLower(r.Question[0].Name)
		switch {
		case strings.HasSuffix(name, "blocked.test."):
			m.SetEdns0(1232, false)
			opt := m.IsEdns0()
			opt.Option = append(opt.Option, &dns.EDNS0_EDE{InfoCode: dns.ExtendedErrorCodeBlocked})
		case strings.HasSuffix(name, "fail.test."):
			m.Rcode = dns.RcodeServerFailure
		case strings.HasSuffix(name, "allowed.test."):
			rr, _ := dns.NewRR(name + " 60 IN A 198.51.100.7")
			m.Answer = append(m.Answer, rr)
		default:
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	})
	us, ts := &dns.Server{PacketConn: pc, Handler: h}, &dns.Server{Listener: l, Handler: h}
	go us.ActivateAndServe()
	go ts.ActivateAndServe()
	b.stop = func() { us.Shutdown(); ts.Shutdown() }
	t.Cleanup(b.stop)
	return b
}

type recorder struct {
	mu      sync.Mutex
	events  []events.Event
	answers map[string][]netip.Addr
}

func (r *recorder) query(e events.Event) { r.mu.Lock(); r.events = append(r.events, e); r.mu.Unlock() }
func (r *recorder) answer(n string, a []netip.Addr) {
	r.mu.Lock()
	r.answers[n] = a
	r.mu.Unlock()
}

func (r *recorder) last(t *testing.T) events.Event {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.events) == 0 {
		t.Fatal("no event")
	}
	return r.events[len(r.events)-1]
}

func startGuard(t *testing.T, b *backend) (*Guard, *recorder) {
	t.Helper()
	rec := &recorder{answers: map[string][]netip.Addr{}}
	g := &Guard{Listen: netip.MustParseAddrPort("127.0.0.1:0"), Backend: b.addr, OnQuery: rec.query, OnAnswer: rec.answer}
	// Port 0: find a free one, as the sentry has port 53 to itself.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g.Listen = netip.MustParseAddrPort(pc.LocalAddr().String())
	pc.Close()
	g.SetRules(Rules{Allowed: func(n string) bool { return strings.HasSuffix(n, ".test") && !strings.HasPrefix(n, "other") }})
	if err := g.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	return g, rec
}

func ask(t *testing.T, g *Guard, net, name string, edns bool) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, dns.TypeA)
	if edns {
		m.SetEdns0(1232, false)
	}
	c := &dns.Client{Net: net, Timeout: 3 * time.Second}
	r, _, err := c.Exchange(m, g.Listen.String())
	if err != nil {
		t.Fatalf("%s query %q: %v", net, name, err)
	}
	return r
}

// TestHostileNamesNeverLeave: a name that is not a host name is REFUSED,
// never reaches dnsmasq, and its event shows it escaped.
func TestHostileNamesNeverLeave(t *testing.T) {
	b := startBackend(t)
	g, rec := startGuard(t, b)
	for _, name := range []string{`hidden\032exfil.allowed.test.`, `esc\027[2J.allowed.test.`, `z$\(touch\032x\).allowed.test.`,
		"tick`id`.allowed.test.", `q\"uote'.allowed.test.`, "hash#.allowed.test.", "eq=1.allowed.test.", `nl\010x.allowed.test.`,
		`dot\.in.allowed.test.`, `nul\000.allowed.test.`, `high\200.allowed.test.`} {
		for _, proto := range []string{"udp", "tcp"} {
			r := ask(t, g, proto, name, false)
			if r.Rcode != dns.RcodeRefused {
				t.Errorf("%s %q: rcode %s, want REFUSED", proto, name, dns.RcodeToString[r.Rcode])
			}
			e := rec.last(t)
			if e.Verdict != NotHostName {
				t.Errorf("%s %q: verdict %q", proto, name, e.Verdict)
			}
			for _, c := range []byte(e.Name) {
				if c < 0x21 || c > 0x7e || strings.IndexByte("$`'\"#=()", c) >= 0 {
					t.Errorf("%s %q: event name %q holds byte %#x", proto, name, e.Name, c)
				}
			}
		}
	}
	for _, proto := range []string{"udp", "tcp"} {
		if r := ask(t, g, proto, "other.test.", false); r.Rcode != dns.RcodeNameError {
			t.Errorf("%s: a name outside the allowlist: rcode %s, want NXDOMAIN", proto, dns.RcodeToString[r.Rcode])
		}
	}
	if n := b.count.Load(); n != 0 {
		t.Errorf("dnsmasq's stand-in got %d queries; hostile and refused names must never reach it", n)
	}
}

// TestAnsweredBeforeTheBottleHasIt: the addresses reach OnAnswer before the
// reply leaves, so the name gate never races the bottle's connection.
func TestAnsweredBeforeTheBottleHasIt(t *testing.T) {
	b := startBackend(t)
	g, rec := startGuard(t, b)
	for _, proto := range []string{"udp", "tcp"} {
		clear(rec.answers)
		r := ask(t, g, proto, "www.Allowed.test.", false)
		rec.mu.Lock()
		got := rec.answers["www.allowed.test"]
		rec.mu.Unlock()
		if len(r.Answer) != 1 || len(got) != 1 || got[0] != netip.MustParseAddr("198.51.100.7") {
			t.Fatalf("%s: answer %v, recorded before the reply %v", proto, r.Answer, got)
		}
		if e := rec.last(t); e.Verdict != events.Answered || e.Name != "www.allowed.test" || len(e.Answers) != 1 || e.Client != "127.0.0.1" {
			t.Errorf("%s: event %+v", proto, e)
		}
		if r.IsEdns0() != nil {
			t.Errorf("%s: the bottle offered no EDNS but got an OPT record back", proto)
		}
	}
}

func TestVerdicts(t *testing.T) {
	b := startBackend(t)
	g, rec := startGuard(t, b)
	for _, tc := range []struct {
		name    string
		edns    bool
		rcode   int
		verdict string
	}{
		{"other.test.", false, dns.RcodeNameError, events.NotAllowed},
		{"x.blocked.test.", false, dns.RcodeSuccess, events.RebindRefused},
		{"x.blocked.test.", true, dns.RcodeSuccess, events.RebindRefused},
		{"x.fail.test.", false, dns.RcodeServerFailure, events.UpstreamFailed},
		{"rbm-ready.invalid.", false, dns.RcodeNameError, events.AnsweredLocally},
		{"nothing.test.", false, dns.RcodeNameError, events.Answered},
	} {
		r := ask(t, g, "udp", tc.name, tc.edns)
		if e := rec.last(t); r.Rcode != tc.rcode || e.Verdict != tc.verdict {
			t.Errorf("%s (edns %v): rcode %s verdict %q, want %s %q", tc.name, tc.edns, dns.RcodeToString[r.Rcode], e.Verdict, dns.RcodeToString[tc.rcode], tc.verdict)
		}
	}
}

// TestIgnoredClient: the sentry's own readiness queries are answered and
// not reported.
func TestIgnoredClient(t *testing.T) {
	b := startBackend(t)
	g, rec := startGuard(t, b)
	g.SetRules(Rules{Ignore: netip.MustParseAddr("127.0.0.1")})
	if r := ask(t, g, "udp", "www.allowed.test.", false); len(r.Answer) != 1 {
		t.Fatalf("answer %v", r.Answer)
	}
	if len(rec.events) != 0 || len(rec.answers) != 0 {
		t.Errorf("the ignored client's query was reported: %v %v", rec.events, rec.answers)
	}
}

func TestBackendDown(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := &backend{addr: netip.MustParseAddrPort(pc.LocalAddr().String())}
	pc.Close() // nothing listens there: dnsmasq is down
	g, rec := startGuard(t, closed)
	r := ask(t, g, "udp", "www.allowed.test.", false)
	if e := rec.last(t); r.Rcode != dns.RcodeServerFailure || e.Verdict != events.UpstreamFailed {
		t.Errorf("rcode %s verdict %q, want SERVFAIL and %q", dns.RcodeToString[r.Rcode], e.Verdict, events.UpstreamFailed)
	}
	// A name outside the allowlist is NXDOMAIN from the guard itself,
	// whether dnsmasq is up or not.
	r = ask(t, g, "udp", "other.test.", true)
	if e := rec.last(t); r.Rcode != dns.RcodeNameError || e.Verdict != events.NotAllowed || r.IsEdns0() == nil {
		t.Errorf("forbidden name with dnsmasq down: rcode %s verdict %q edns %v, want NXDOMAIN, %q, an OPT record", dns.RcodeToString[r.Rcode], e.Verdict, r.IsEdns0() != nil, events.NotAllowed)
	}
}
