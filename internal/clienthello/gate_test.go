package clienthello

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"
)

// testCert is a self-signed certificate for name and a pool that trusts it.
func testCert(t *testing.T, name string) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// gate is the name gate in miniature: ReadFirst, Follow, then relay.
func gate(client, server net.Conn, check func(Hello) error) error {
	h, raw, err := ReadFirst(client)
	if err != nil {
		return err
	}
	if err := check(h); err != nil {
		return err
	}
	if _, err := server.Write(raw); err != nil {
		return err
	}
	go io.Copy(client, server)
	if err := Follow(client, server, h, check); err != nil {
		return err
	}
	_, err = io.Copy(server, client)
	return err
}

// recordingConn keeps a copy of what the gate sends to the server.
type recordingConn struct {
	net.Conn
	mu   sync.Mutex
	sent []byte
}

func (c *recordingConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.sent = append(c.sent, b...)
	c.mu.Unlock()
	return c.Conn.Write(b)
}

// throughGate runs one real handshake and a ping-pong through the gate. It
// returns the client's view of the connection, the hellos checked, and what
// the gate sent to the server.
func throughGate(t *testing.T, clientCfg, serverCfg *tls.Config) (tls.ConnectionState, []Hello, []byte) {
	t.Helper()
	clientEnd, gateClient := net.Pipe()
	gateServer, serverEnd := net.Pipe()
	for _, c := range []net.Conn{clientEnd, gateClient, gateServer, serverEnd} {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		defer c.Close()
	}
	var mu sync.Mutex
	var checked []Hello
	check := func(h Hello) error {
		mu.Lock()
		defer mu.Unlock()
		checked = append(checked, h)
		return nil
	}
	toServer := &recordingConn{Conn: gateServer}
	go gate(gateClient, toServer, check)
	go func() {
		s := tls.Server(serverEnd, serverCfg)
		buf := make([]byte, 4)
		if _, err := io.ReadFull(s, buf); err == nil {
			s.Write([]byte("pong"))
		}
	}()
	c := tls.Client(clientEnd, clientCfg)
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatalf("handshake through the gate: %v", err)
	}
	if buf, err := io.ReadAll(io.LimitReader(c, 4)); err != nil || string(buf) != "pong" {
		t.Fatalf("read %q, %v; want pong", buf, err)
	}
	c.Close() // the gate's relay ends: what it sent can be read
	mu.Lock()
	defer mu.Unlock()
	toServer.mu.Lock()
	defer toServer.mu.Unlock()
	return c.ConnectionState(), checked, toServer.sent
}

// TestFollowHelloRetryRequest: the server accepts only P-256, which Go's
// client sends no key share for, so it answers with a HelloRetryRequest and
// the client sends a second ClientHello after a change_cipher_spec: check
// must see it, and the handshake must complete.
func TestFollowHelloRetryRequest(t *testing.T) {
	cert, pool := testCert(t, "allowed.test")
	st, checked, _ := throughGate(t,
		&tls.Config{ServerName: "allowed.test", RootCAs: pool},
		&tls.Config{Certificates: []tls.Certificate{cert}, CurvePreferences: []tls.CurveID{tls.CurveP256}})
	if !st.HelloRetryRequest || st.CurveID != tls.CurveP256 || st.Version != tls.VersionTLS13 {
		t.Errorf("retry %v, curve %v, version %#x; want a TLS 1.3 HelloRetryRequest to P-256", st.HelloRetryRequest, st.CurveID, st.Version)
	}
	want := Hello{ServerName: "allowed.test", TLS13: true}
	if len(checked) != 2 || checked[0] != want || checked[1] != want {
		t.Errorf("checked %+v, want the first and the second hello, both %+v", checked, want)
	}
}

// TestFollowTLS12Server: a TLS 1.3 client meeting a TLS 1.2 server, in a
// full and then in abbreviated (resumed) handshakes, where the client's
// change_cipher_spec is followed by its encrypted Finished in a handshake
// record. With ChaCha20 (no explicit nonce) that record's first byte is
// random, so about one in 256 begins with 1, like a ClientHello. All must
// complete with only the first hello checked.
func TestFollowTLS12Server(t *testing.T) {
	cert, pool := testCert(t, "allowed.test")
	clientCfg := &tls.Config{ServerName: "allowed.test", RootCAs: pool, ClientSessionCache: tls.NewLRUClientSessionCache(1)}
	serverCfg := &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305}}
	ones := 0
	for i := range 1000 {
		st, checked, sent := throughGate(t, clientCfg, serverCfg)
		if st.Version != tls.VersionTLS12 || st.DidResume != (i > 0) {
			t.Fatalf("connection %d: version %#x, resumed %v; want TLS 1.2, resumed %v", i, st.Version, st.DidResume, i > 0)
		}
		if len(checked) != 1 || !checked[0].TLS13 {
			t.Fatalf("connection %d: checked %+v, want one TLS 1.3-offering hello", i, checked)
		}
		if p := finishedAfterCCS(t, sent); len(p) > 0 && p[0] == typeClientHello {
			ones++
		}
	}
	t.Logf("%d of 1000 encrypted Finished records began with 1", ones)
}

// finishedAfterCCS returns the payload of the handshake record that follows
// the client's change_cipher_spec in sent, or nil.
func finishedAfterCCS(t *testing.T, sent []byte) []byte {
	sawCCS := false
	for len(sent) >= headerLen {
		n := int(sent[3])<<8 | int(sent[4])
		if len(sent) < headerLen+n {
			t.Fatalf("gate sent a partial record")
		}
		typ, payload := sent[0], sent[headerLen:headerLen+n]
		if sawCCS && typ == typeHandshake {
			return payload
		}
		sawCCS = sawCCS || typ == typeChangeCipherSpec
		sent = sent[headerLen+n:]
	}
	return nil
}
