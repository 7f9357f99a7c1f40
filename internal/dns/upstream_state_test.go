package dns

import (
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func TestUpstreamStateAnswers(t *testing.T) {
	// UpstreamState asks port 53: serve it in a namespace of our own.
	needRoot(t)
	ns := newTestNS(t, "link set lo up\n")
	var pc net.PacketConn
	if err := ns.do(func() (err error) { pc, err = net.ListenPacket("udp", "127.0.0.1:53"); return err }); err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		_ = w.WriteMsg(new(dns.Msg).SetRcode(q, dns.RcodeRefused))
	})}
	go func() { _ = srv.ActivateAndServe() }()
	defer srv.Shutdown()
	var got string
	var err error
	_ = ns.do(func() error { got, err = UpstreamState(t.Context(), netip.MustParseAddr("127.0.0.1")); return nil })
	if err != nil || !strings.Contains(got, "answers (REFUSED") {
		t.Errorf("UpstreamState = %q, %v; want an answer naming REFUSED", got, err)
	}
}

func TestUpstreamStateSilent(t *testing.T) {
	start := time.Now()
	// A namespace of our own with no route: nothing is sent anywhere.
	needRoot(t)
	ns := newTestNS(t, "link set lo up\n")
	var err error
	if nerr := ns.do(func() error { _, err = UpstreamState(t.Context(), sentryIP); return nil }); nerr != nil {
		t.Fatal(nerr)
	}
	if err == nil || !strings.Contains(err.Error(), "does not answer") {
		t.Errorf("UpstreamState with no route = %v, want 'does not answer'", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
}
