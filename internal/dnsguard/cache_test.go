package dnsguard

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/recipe-bottle/rbm/internal/events"
)

// TestCachedAnswer: a repeated question is answered without dnsmasq, with
// the bottle's own id and letter case, reported and recorded like the
// first, and without an OPT record the bottle did not offer.
func TestCachedAnswer(t *testing.T) {
	b := startBackend(t)
	g, rec := startGuard(t, b)
	ask(t, g, "udp", "www.allowed.test.", true)
	for _, proto := range []string{"udp", "tcp"} {
		rec.mu.Lock()
		clear(rec.answers)
		rec.mu.Unlock()
		r := ask(t, g, proto, "WWW.Allowed.TEST.", false)
		if n := b.count.Load(); n != 1 {
			t.Fatalf("%s: dnsmasq's stand-in got %d queries, want 1 (the rest from the cache)", proto, n)
		}
		if len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != "198.51.100.7" || r.Question[0].Name != "WWW.Allowed.TEST." {
			t.Errorf("%s: cached reply %v", proto, r)
		}
		if r.IsEdns0() != nil {
			t.Errorf("%s: the bottle offered no EDNS but the cached reply carries an OPT record", proto)
		}
		rec.mu.Lock()
		got := rec.answers["www.allowed.test"]
		rec.mu.Unlock()
		if len(got) != 1 {
			t.Errorf("%s: a cached answer did not reach the name gate's table: %v", proto, got)
		}
		if e := rec.last(t); e.Verdict != events.Answered || len(e.Answers) != 1 {
			t.Errorf("%s: event %+v", proto, e)
		}
	}
}

// TestOnlyPositiveAnswersCached: refusals, failures, empty answers and
// the readiness query reach dnsmasq every time.
func TestOnlyPositiveAnswersCached(t *testing.T) {
	b := startBackend(t)
	g, _ := startGuard(t, b)
	for _, name := range []string{"x.blocked.test.", "x.fail.test.", "nothing.test.", "rbm-ready.invalid."} {
		before := b.count.Load()
		ask(t, g, "udp", name, false)
		ask(t, g, "udp", name, false)
		if n := b.count.Load() - before; n != 2 {
			t.Errorf("%s asked twice: dnsmasq's stand-in got %d, want 2", name, n)
		}
	}
}

// TestNewRulesEmptyTheCache: after a reload the next answer is dnsmasq's.
func TestNewRulesEmptyTheCache(t *testing.T) {
	b := startBackend(t)
	g, _ := startGuard(t, b)
	ask(t, g, "udp", "www.allowed.test.", false)
	ask(t, g, "udp", "www.allowed.test.", false)
	g.SetRules(Rules{})
	ask(t, g, "udp", "www.allowed.test.", false)
	if n := b.count.Load(); n != 2 {
		t.Errorf("dnsmasq's stand-in got %d queries, want 2 (one before and one after the new rules)", n)
	}
}

func question(name string) *dns.Msg { return new(dns.Msg).SetQuestion(name, dns.TypeA) }

func answer(q *dns.Msg, ttls ...uint32) *dns.Msg {
	m := new(dns.Msg).SetReply(q)
	for i, ttl := range ttls {
		m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: ttl},
			A: netip.AddrFrom4([4]byte{198, 51, 100, byte(i + 1)}).AsSlice()})
	}
	m.SetEdns0(forwardSize, false)
	return m
}

// TestCacheTTL: a kept answer's TTLs fall with its age, and it is gone
// when its smallest TTL has run out: never handed out with TTL 0, never
// longer than dnsmasq said.
func TestCacheTTL(t *testing.T) {
	var c cache
	q := question("a.test.")
	t0 := time.Unix(1_000_000, 0)
	c.put(q, answer(q, 60, 30), t0)
	m := c.get(q, t0.Add(10*time.Second+500*time.Millisecond))
	if m == nil || m.Answer[0].Header().Ttl != 50 || m.Answer[1].Header().Ttl != 20 {
		t.Fatalf("after 10.5 s: %v, want TTLs 50 and 20", m)
	}
	if m := c.get(q, t0.Add(29*time.Second+999*time.Millisecond)); m == nil || m.Answer[1].Header().Ttl != 1 {
		t.Errorf("just before the smallest TTL ran out: %v, want TTL 1", m)
	}
	if m := c.get(q, t0.Add(30*time.Second)); m != nil {
		t.Errorf("after the smallest TTL: still served %v", m)
	}
	c.put(q, answer(q, 0), t0)
	if m := c.get(q, t0); m != nil {
		t.Errorf("an answer with TTL 0 was kept: %v", m)
	}
	trunc := answer(q, 60)
	trunc.Truncated = true
	c.put(q, trunc, t0)
	if m := c.get(q, t0); m != nil {
		t.Errorf("a truncated answer was kept: %v", m)
	}
}

// TestCacheKeyedLikeDnsmasq: another type, class or DO bit is another
// question; the letters' case and RD are not (RD is echoed).
func TestCacheKeyedLikeDnsmasq(t *testing.T) {
	var c cache
	t0 := time.Unix(1_000_000, 0)
	q := question("a.test.")
	c.put(q, answer(q, 60), t0)
	if c.get(question("A.Test."), t0) == nil {
		t.Error("the same name in other letters missed")
	}
	noRD := question("a.test.")
	noRD.RecursionDesired = false
	if m := c.get(noRD, t0); m == nil || m.RecursionDesired {
		t.Errorf("a query without RD: %v, want a hit echoing RD clear", m)
	}
	aaaa := new(dns.Msg).SetQuestion("a.test.", dns.TypeAAAA)
	do := question("a.test.")
	do.SetEdns0(1232, true)
	chaos := question("a.test.")
	chaos.Question[0].Qclass = dns.ClassCHAOS
	for _, other := range []*dns.Msg{aaaa, do, chaos} {
		if m := c.get(other, t0); m != nil {
			t.Errorf("%v answered from a different question's entry", other.Question[0])
		}
	}
}

// TestCacheBounded: a full cache keeps what it has until entries expire;
// then a new answer takes an expired one's room.
func TestCacheBounded(t *testing.T) {
	var c cache
	t0 := time.Unix(1_000_000, 0)
	for i := range cacheSize {
		q := question(fmt.Sprintf("n%d.test.", i))
		c.put(q, answer(q, 60), t0)
	}
	extra := question("extra.test.")
	c.put(extra, answer(extra, 600), t0.Add(2*time.Second))
	if c.get(extra, t0.Add(2*time.Second)) != nil || len(c.entries) != cacheSize {
		t.Fatalf("a full cache of live entries took another (%d entries)", len(c.entries))
	}
	late := t0.Add(61 * time.Second)
	c.put(extra, answer(extra, 600), late)
	if c.get(extra, late) == nil || len(c.entries) != 1 {
		t.Errorf("after every entry expired: extra kept %v, %d entries, want it alone", c.get(extra, late) != nil, len(c.entries))
	}
	if !strings.HasPrefix(c.get(extra, late).Question[0].Name, "extra") {
		t.Error("wrong entry")
	}
}
