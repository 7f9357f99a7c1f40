package gate

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// world is a gate on loopback in front of one upstream server; the seam
// stands in for the REDIRECT: every connection "meant" the upstream.
type world struct {
	gate     *Server
	addr     string // the gate's listener
	upstream netip.AddrPort
	served   atomic.Int64 // requests the upstream answered
}

func newWorld(t *testing.T, tlsUp bool, maxConns int) *world {
	t.Helper()
	w := &world{}
	ul, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.served.Add(1)
		fmt.Fprintf(rw, "hello %s\n", r.Host)
	}), ReadHeaderTimeout: 5 * time.Second}
	if tlsUp {
		ul = tls.NewListener(ul, &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}})
	}
	go srv.Serve(ul)
	t.Cleanup(func() { srv.Close() })
	w.upstream = ul.Addr().(*net.TCPAddr).AddrPort()

	p := policy.Policy{Egress: policy.EgressAllowlist, DNS: policy.DNSAllowlist, AllowedDomains: []string{"allowed.test", "other.test"},
		Match: policy.MatchExact, Learn: policy.Learn{Enabled: true},
		Gate: policy.Gate{Check: policy.NameCheckLearned, Ports: []uint16{w.upstream.Port()}}}
	answers := NewAnswers(16)
	answers.Record("allowed.test", w.upstream.Addr(), time.Now().Add(time.Hour))
	w.gate = &Server{Answers: answers, MaxConns: maxConns, Handshake: 2 * time.Second, Logf: t.Logf,
		OriginalDst: func(*net.TCPConn) (netip.AddrPort, error) { return w.upstream, nil },
		Dial:        plainDial}
	w.gate.SetPolicy(p)
	gl, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	w.addr = gl.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.gate.Serve(ctx, gl); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return w
}

// plainDial is the gate's dial without the mark (no firewall here).
func plainDial(ctx context.Context, dst netip.AddrPort) (*net.TCPConn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, "tcp4", dst.String())
	if err != nil {
		return nil, err
	}
	return c.(*net.TCPConn), nil
}

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gate test"},
		DNSNames: []string{"allowed.test", "other.test", "evil.test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// fetchTLS makes one HTTPS request through the gate with sni.
func (w *world) fetchTLS(sni string) (string, error) {
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 3 * time.Second}, "tcp4", w.addr, &tls.Config{ServerName: sni, InsecureSkipVerify: true})
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", sni)
	b, err := io.ReadAll(c)
	return string(b), err
}

func TestTLSName(t *testing.T) {
	w := newWorld(t, true, 0)
	if body, err := w.fetchTLS("allowed.test"); err != nil || !strings.Contains(body, "hello allowed.test") {
		t.Fatalf("the allowed name: %q, %v; want its answer", body, err)
	}
	for sni, rule := range map[string]string{"evil.test": policy.GateName, "other.test": policy.GateUnlearned, "": policy.GateNoName} {
		if body, err := w.fetchTLS(sni); err == nil {
			t.Errorf("SNI %q passed: %q", sni, body)
		}
		if n := w.gate.Counts()[rule]; n != 1 {
			t.Errorf("SNI %q: %s counted %d, want 1", sni, rule, n)
		}
	}
	if n := w.served.Load(); n != 1 {
		t.Errorf("the upstream answered %d requests, want only the allowed one", n)
	}
}

func TestHTTPEveryRequest(t *testing.T) {
	w := newWorld(t, false, 0)
	c, err := net.DialTimeout("tcp4", w.addr, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	br := bufio.NewReader(c)
	fmt.Fprint(c, "GET /1 HTTP/1.1\r\nHost: allowed.test\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("first request with the allowed Host: %v %v", resp, err)
	}
	io.Copy(io.Discard, resp.Body)
	// The second request on the same connection names another host.
	fmt.Fprint(c, "GET /2 HTTP/1.1\r\nHost: evil.test\r\n\r\n")
	if resp, err := http.ReadResponse(br, nil); err == nil {
		t.Errorf("a second request with a forbidden Host was answered: %s", resp.Status)
	}
	if n := w.served.Load(); n != 1 {
		t.Errorf("the upstream answered %d requests, want 1", n)
	}
	if n := w.gate.Counts()[policy.GateName]; n != 1 {
		t.Errorf("gate-name counted %d, want 1", n)
	}
}

// TestSilentFlood: connections that send nothing cannot starve a real one.
func TestSilentFlood(t *testing.T) {
	w := newWorld(t, true, 8)
	for range 32 {
		c, err := net.DialTimeout("tcp4", w.addr, 3*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	time.Sleep(100 * time.Millisecond)
	if body, err := w.fetchTLS("allowed.test"); err != nil || !strings.Contains(body, "hello") {
		t.Fatalf("after 32 silent connections with room for 8: %q, %v; want the allowed name answered", body, err)
	}
	time.Sleep(100 * time.Millisecond)
	if n := w.gate.Counts()[policy.GateBusy]; n < 24 {
		t.Errorf("gate-busy counted %d of the silent connections dropped to make room, want at least 24", n)
	}
}

// TestGarbage: unreadable first flights are refused and the gate goes on.
func TestGarbage(t *testing.T) {
	w := newWorld(t, true, 0)
	for _, junk := range []string{"SSH-2.0-OpenSSH_9.2\r\n", "\x16\x03\x01\xff\xff" + strings.Repeat("A", 64), "\x00\x01\x02", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"} {
		c, err := net.DialTimeout("tcp4", w.addr, 3*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(3 * time.Second))
		c.Write([]byte(junk))
		if n, _ := c.Read(make([]byte, 16)); n != 0 {
			t.Errorf("%q got %d bytes back", junk, n)
		}
		c.Close()
	}
	if n := w.gate.Counts()[policy.GateUnread]; n != 4 {
		t.Errorf("gate-unread counted %d, want 4", n)
	}
	if _, err := w.fetchTLS("allowed.test"); err != nil {
		t.Errorf("after garbage the allowed name fails: %v", err)
	}
}

// TestHTTPSlowBody: a request body that takes longer than the handshake
// deadline still arrives whole, as long as it keeps coming.
func TestHTTPSlowBody(t *testing.T) {
	w := newWorld(t, false, 0)
	c, err := net.DialTimeout("tcp4", w.addr, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprint(c, "POST / HTTP/1.1\r\nHost: allowed.test\r\nContent-Length: 6\r\n\r\n")
	for range 6 { // 3 s in all; the handshake deadline is 2 s
		time.Sleep(500 * time.Millisecond)
		if _, err := c.Write([]byte("x")); err != nil {
			t.Fatalf("the body was cut: %v", err)
		}
	}
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("a slow body: %v %v; want an answer", resp, err)
	}
}
