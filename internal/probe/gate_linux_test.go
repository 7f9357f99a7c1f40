package probe

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/clienthello"
)

// resetting accepts, reads what comes, and resets: a name gate's refusal
// as the client sees it. It returns the address and a channel of what
// each connection sent before the reset.
func resetting(t *testing.T) (string, <-chan []byte) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	got := make(chan []byte, 4)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 64<<10)
			c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			n := 0
			for err == nil && n < len(buf) {
				var k int
				k, err = c.Read(buf[n:])
				n += k
			}
			got <- buf[:n]
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}
	}()
	return l.Addr().String(), got
}

func TestTLSHello(t *testing.T) {
	port, _ := tlsServer(t)
	target := "127.0.0.1:" + port
	r := run(t, Spec{Kind: KindTLSHello, Target: target, Name: "web.test", Pad: 4200, Record: 1000})
	want(t, r, Connected)
	if !strings.Contains(r.Detail, "in 5 records") {
		t.Errorf("detail %q: want a 4200-byte hello in 5 records", r.Detail)
	}
	want(t, run(t, Spec{Kind: KindTLSHello, Target: target, Name: "web.test"}), Connected)
	want(t, run(t, Spec{Kind: KindTLSHello, Target: closedPort(t, "tcp"), Name: "web.test"}), Refused)
	want(t, run(t, Spec{Kind: KindTLSHello, Target: target}), Error)
	want(t, run(t, Spec{Kind: KindTLSHello, Target: target, Name: "web.test", Pad: -1}), Error)

	// What the name gate reads of it: the name, the ECH flag, every byte.
	addr, got := resetting(t)
	for _, ech := range []bool{false, true} {
		want(t, run(t, Spec{Kind: KindTLSHello, Target: addr, Name: "web.test", Pad: 4200, Record: 700, ECH: ech}), Refused)
		h, raw, err := clienthello.ReadFirst(bytes.NewReader(<-got))
		if err != nil || h.ServerName != "web.test" || h.ECH != ech || len(raw) < 4200 {
			t.Errorf("ech=%t: the gate's parser read %+v, %d bytes, %v; want web.test, ech %t, at least 4200 bytes", ech, h, len(raw), err, ech)
		}
	}
}

func TestHTTPRaw(t *testing.T) {
	// The server resets a request for bad.test, as the gate does.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "bad.test" {
			c, _, _ := http.NewResponseController(w).Hijack()
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
			return
		}
		fmt.Fprintf(w, "hello %s\n", r.Host)
	}))
	t.Cleanup(srv.Close)
	target := srv.Listener.Addr().String()
	get := func(host string) string { return "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n" }

	r := run(t, Spec{Kind: KindHTTPRaw, Target: target, Requests: []string{get("a.test"), get("b.test")}})
	want(t, r, Connected)
	if !strings.Contains(r.Detail, "200 OK, 200 OK") {
		t.Errorf("detail %q: want both answers", r.Detail)
	}
	want(t, run(t, Spec{Kind: KindHTTPRaw, Target: target, Requests: []string{get("a.test"), get("bad.test")}}), Refused)
	// The first unanswered: the second request proves nothing.
	want(t, run(t, Spec{Kind: KindHTTPRaw, Target: target, Requests: []string{get("bad.test"), get("a.test")}}), Error)
	want(t, run(t, Spec{Kind: KindHTTPRaw, Target: target}), Error)
	want(t, run(t, Spec{Kind: KindHTTPRaw, Target: closedPort(t, "tcp"), Requests: []string{get("a.test")}}), Refused)
}

func TestTCPSilentHoldsWhileThenRuns(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	// Then's server answers 200 only if the listener has taken all 20 (the
	// kernel completes a dial before Accept returns it, so wait for the
	// acceptor, boundedly) and every one is open and has sent nothing.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for end := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			mu.Lock()
			n := len(held)
			mu.Unlock()
			if n >= 20 || time.Now().After(end) {
				break
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if len(held) != 20 {
			w.WriteHeader(http.StatusConflict)
		}
		for _, c := range held {
			c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
			if _, err := c.Read(make([]byte, 1)); !isTimeout(err) {
				w.WriteHeader(http.StatusConflict)
			}
		}
		fmt.Fprintf(w, "%d held\n", len(held))
	}))
	t.Cleanup(srv.Close)
	then := Spec{Kind: KindHTTPRaw, Target: srv.Listener.Addr().String(), Requests: []string{"GET / HTTP/1.1\r\nHost: a.test\r\n\r\n"}}
	r := Run(context.Background(), Spec{Kind: KindTCPSilent, Target: l.Addr().String(), Count: 20, Then: &then})
	if r.Outcome != Connected || !strings.Contains(r.Detail, "20 silent connections") || !strings.Contains(r.Detail, "200 OK") {
		t.Errorf("silent then request: %s %q; want connected, 20 held, 200", r.Outcome, r.Detail)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(held) != 20 {
		t.Fatalf("the listener holds %d connections, want 20", len(held))
	}
	// Released once the chain ended: each reads EOF.
	for _, c := range held {
		c.SetReadDeadline(time.Now().Add(time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil || isTimeout(err) {
			t.Errorf("a silent connection is still open after the probe: %v", err)
		}
	}
	want(t, run(t, Spec{Kind: KindTCPSilent, Target: closedPort(t, "tcp"), Count: 3}), Error)
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
