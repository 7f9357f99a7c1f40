package dnsguard

import (
	"testing"

	"github.com/miekg/dns"
)

// FuzzAnswer: whatever message the bottle sends, the guard answers without
// panicking; only a one-question query whose name is a host name is
// forwarded; anything else is refused here; every reply packs and answers
// the very question asked (cached or not).
func FuzzAnswer(f *testing.F) {
	for _, name := range []string{"www.allowed.test.", `a\032b.allowed.test.`, "x.blocked.test.", "."} {
		m := new(dns.Msg).SetQuestion(name, dns.TypeA)
		m.SetEdns0(4096, true)
		if b, err := m.Pack(); err == nil {
			f.Add(b, true)
		}
	}
	b := startBackend(f)
	g := &Guard{Backend: b.addr}
	g.SetRules(Rules{Allowed: func(string) bool { return true }})
	pool, err := newUDPPool(b.addr)
	if err != nil {
		f.Fatal(err)
	}
	g.udp, g.slots = pool, make(chan struct{}, inFlight)
	f.Fuzz(func(t *testing.T, wire []byte, udp bool) {
		r := new(dns.Msg)
		if r.Unpack(wire) != nil {
			return // miekg's server drops what does not unpack
		}
		before := b.count.Load()
		reply, verdict := g.answer(r, g.rules.Load(), udp)
		forwarded := b.count.Load() != before
		hostQuery := malformed(r) == "" && checkName(r.Question[0].Name) == ""
		if forwarded && !hostQuery {
			t.Fatalf("forwarded %v (verdict %q)", r.Question, verdict)
		}
		if reply == nil {
			if !r.Response {
				t.Fatalf("no reply to a query (verdict %q)", verdict)
			}
			return
		}
		if _, err := reply.Pack(); err != nil {
			t.Fatalf("reply does not pack: %v", err)
		}
		if hostQuery && (reply.Id != r.Id || len(reply.Question) != 1 || reply.Question[0] != r.Question[0]) {
			t.Fatalf("reply to %v (id %d) is for %v (id %d), from the cache or not", r.Question, r.Id, reply.Question, reply.Id)
		}
		if !hostQuery && reply.Rcode != dns.RcodeRefused && reply.Rcode != dns.RcodeFormatError {
			t.Fatalf("%v: rcode %s, want REFUSED or FORMERR", r.Question, dns.RcodeToString[reply.Rcode])
		}
	})
}
