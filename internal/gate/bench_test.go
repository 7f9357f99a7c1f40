package gate

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// recordedHello is a real ClientHello of Go's TLS client for allowed.test
// (TLS 1.3 offered, the post-quantum key share included), captured once.
func recordedHello(b testing.TB) []byte {
	b.Helper()
	client, server := net.Pipe()
	go func() {
		c := tls.Client(client, &tls.Config{ServerName: "allowed.test", InsecureSkipVerify: true})
		c.Handshake()
	}()
	server.SetReadDeadline(time.Now().Add(2 * time.Second))
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(server, hdr); err != nil {
		b.Fatal(err)
	}
	body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
	if _, err := io.ReadFull(server, body); err != nil {
		b.Fatal(err)
	}
	server.Close()
	client.Close()
	return append(hdr, body...)
}

// sink accepts connections and counts what they send.
func sink(b *testing.B) netip.AddrPort {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	return l.Addr().(*net.TCPAddr).AddrPort()
}

// BenchmarkBulk sends 64 MiB per iteration after a recorded ClientHello,
// straight to a sink (direct) and through the gate (gated): the ratio of
// the two is the gate's cost on the bulk path (splice after the hello).
func BenchmarkBulk(b *testing.B) {
	hello := recordedHello(b)
	// After the hello, one application-data record ends the inspection.
	appData := []byte{23, 3, 3, 0, 1, 0}
	dst := sink(b)
	gateAddr := benchGate(b, dst)
	chunk := make([]byte, 1<<20)
	for _, c := range []struct{ name, addr string }{{"direct", dst.String()}, {"gated", gateAddr}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(64 << 20)
			for range b.N {
				conn, err := net.Dial("tcp4", c.addr)
				if err != nil {
					b.Fatal(err)
				}
				conn.Write(hello)
				conn.Write(appData)
				for range 64 {
					if _, err := conn.Write(chunk); err != nil {
						b.Fatal(err)
					}
				}
				conn.Close()
			}
		})
	}
}

// BenchmarkConnect: a new connection with a recorded ClientHello, through
// the gate to its first byte back, against the same directly.
func BenchmarkConnect(b *testing.B) {
	hello := recordedHello(b)
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	go func() { // answers one byte once the hello arrived
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				io.ReadFull(c, make([]byte, len(hello)))
				c.Write([]byte{1})
				io.Copy(io.Discard, c)
				c.Close()
			}()
		}
	}()
	dst := l.Addr().(*net.TCPAddr).AddrPort()
	gateAddr := benchGate(b, dst)
	for _, c := range []struct{ name, addr string }{{"direct", dst.String()}, {"gated", gateAddr}} {
		b.Run(c.name, func(b *testing.B) {
			one := make([]byte, 1)
			for range b.N {
				conn, err := net.Dial("tcp4", c.addr)
				if err != nil {
					b.Fatal(err)
				}
				conn.Write(hello)
				if _, err := io.ReadFull(conn, one); err != nil {
					b.Fatal(err)
				}
				conn.Close()
			}
		})
	}
}

func benchGate(b *testing.B, dst netip.AddrPort) string { return benchGateConns(b, dst, 0) }

// benchGateConns is benchGate holding at most maxConns connections at once
// (0: DefaultMaxConns).
func benchGateConns(b *testing.B, dst netip.AddrPort, maxConns int) string {
	p := policy.Policy{Egress: policy.EgressAllowlist, DNS: policy.DNSAllowlist, AllowedDomains: []string{"allowed.test"},
		Learn: policy.Learn{Enabled: true}, Gate: policy.Gate{Check: policy.NameCheckLearned, Ports: []uint16{dst.Port()}}}
	answers := NewAnswers(16)
	answers.Record("allowed.test", dst.Addr(), time.Now().Add(time.Hour))
	g := &Server{Answers: answers, MaxConns: maxConns, OriginalDst: func(*net.TCPConn) (netip.AddrPort, error) { return dst, nil },
		Dial: plainDial}
	g.SetPolicy(p)
	l, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	go g.Serve(ctx, l)
	return l.Addr().String()
}
