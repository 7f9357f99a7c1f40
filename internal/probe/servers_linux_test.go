package probe

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// tcpListener accepts and closes connections on loopback until the test ends.
func tcpListener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return l.Addr().String()
}

// closedPort returns a loopback address on which nothing listens.
func closedPort(t *testing.T, network string) string {
	t.Helper()
	var addr string
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = c.LocalAddr().String()
		c.Close()
	} else {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = l.Addr().String()
		l.Close()
	}
	return addr
}

// udpServer binds a loopback UDP socket; with echo it answers every
// datagram, without it stays silent. It returns the address and a channel
// of the sources of received datagrams.
func udpServer(t *testing.T, echo bool) (string, <-chan net.Addr) {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	from := make(chan net.Addr, 16)
	go func() {
		buf := make([]byte, 2048)
		for {
			n, a, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			select {
			case from <- a:
			default:
			}
			if echo {
				_, _ = c.WriteTo(buf[:n], a)
			}
		}
	}()
	return c.LocalAddr().String(), from
}

// dnsLog records the transports over which the test resolver got queries.
type dnsLog struct {
	mu  sync.Mutex
	net []string
}

func (l *dnsLog) add(n string) { l.mu.Lock(); l.net = append(l.net, n); l.mu.Unlock() }

func (l *dnsLog) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.net) == 0 {
		return ""
	}
	return l.net[len(l.net)-1]
}

// dnsServer serves web.test. A 192.0.2.10, version.bind CH TXT, REFUSED for
// zone transfers and NXDOMAIN for the rest, on one loopback port over UDP
// and TCP.
func dnsServer(t *testing.T) (string, *dnsLog) {
	t.Helper()
	log := &dnsLog{}
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		log.add(w.RemoteAddr().Network())
		m := new(dns.Msg)
		m.SetReply(r)
		q := r.Question[0]
		switch {
		case q.Qtype == dns.TypeAXFR:
			m.Rcode = dns.RcodeRefused
		case q.Name == "web.test." && q.Qtype == dns.TypeA:
			m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(192, 0, 2, 10)})
		case q.Name == "version.bind." && q.Qclass == dns.ClassCHAOS:
			m.Answer = append(m.Answer, &dns.TXT{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassCHAOS}, Txt: []string{"rbm-test"}})
		default:
			m.Rcode = dns.RcodeNameError
		}
		_ = w.WriteMsg(m)
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pc, err := net.ListenPacket("udp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*dns.Server{{Listener: l, Handler: h}, {PacketConn: pc, Handler: h}} {
		go func() { _ = s.ActivateAndServe() }()
	}
	t.Cleanup(func() { l.Close(); pc.Close() })
	return l.Addr().String(), log
}

// tlsServer serves "hello" over HTTPS with a certificate for web.test from
// a fresh CA, whose PEM it writes to a file. It returns the port and file.
func tlsServer(t *testing.T) (port, caFile string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "rbm probe test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), DNSNames: []string{"web.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s\n", r.Host)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644); err != nil {
		t.Fatal(err)
	}
	_, port, _ = net.SplitHostPort(srv.Listener.Addr().String())
	return port, caFile
}
