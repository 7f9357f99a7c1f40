package dns

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// serveLoopback runs a UDP DNS server on 127.0.0.1 with handler h until the
// test ends, and returns its address.
func serveLoopback(t *testing.T, h dns.HandlerFunc) netip.AddrPort {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: h}
	go func() { _ = srv.ActivateAndServe() }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return pc.LocalAddr().(*net.UDPAddr).AddrPort()
}

func TestReadyAcceptsLocalNXDOMAIN(t *testing.T) {
	asked := make(chan dns.Question, 1)
	addr := serveLoopback(t, func(w dns.ResponseWriter, q *dns.Msg) {
		asked <- q.Question[0]
		_ = w.WriteMsg(new(dns.Msg).SetRcode(q, dns.RcodeNameError))
	})
	if err := ready(t.Context(), addr); err != nil {
		t.Fatal(err)
	}
	if q := <-asked; q.Name != "rbm-ready.invalid." || q.Qclass != dns.ClassINET || q.Qtype != dns.TypeA {
		t.Errorf("asked %v, want rbm-ready.invalid. IN A", q)
	}
}

func TestReadyRejectsFailure(t *testing.T) {
	addr := serveLoopback(t, func(w dns.ResponseWriter, q *dns.Msg) {
		_ = w.WriteMsg(new(dns.Msg).SetRcode(q, dns.RcodeRefused))
	})
	err := ready(t.Context(), addr)
	if err == nil || !strings.Contains(err.Error(), "REFUSED") {
		t.Fatalf("ready = %v, want an error naming REFUSED", err)
	}
}

// TestReadyRejectsAnAnswer: a resolver that answers the .invalid name
// with an address is not the sentry's dnsmasq as configured.
func TestReadyRejectsAnAnswer(t *testing.T) {
	addr := serveLoopback(t, func(w dns.ResponseWriter, q *dns.Msg) {
		r := new(dns.Msg).SetReply(q)
		r.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET}, A: net.IPv4(192, 0, 2, 9)}}
		_ = w.WriteMsg(r)
	})
	if err := ready(t.Context(), addr); err == nil {
		t.Fatal("ready accepted an answer for a name that never exists")
	}
}

// TestReadyHonoursDeadline: a resolver that never answers costs the
// caller's deadline, not more.
func TestReadyHonoursDeadline(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0") // reads nothing, answers nothing
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = ready(ctx, pc.LocalAddr().(*net.UDPAddr).AddrPort())
	if err == nil {
		t.Fatal("ready succeeded without an answer")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("ready took %s with a 200ms deadline", d)
	}
}
