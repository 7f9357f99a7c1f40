package clienthello

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/tls"
	"io"
	"net"
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

// captureConn records what a crypto/tls client writes and ends its handshake
// at the first read: by then the ClientHello has been flushed whole.
type captureConn struct {
	net.Conn // one end of a net.Pipe, for addresses and deadlines only
	buf      bytes.Buffer
}

func (c *captureConn) Write(b []byte) (int, error) { return c.buf.Write(b) }
func (c *captureConn) Read([]byte) (int, error)    { return 0, io.EOF }

// realHello returns the bytes Go's crypto/tls writes as its ClientHello with
// cfg: an oracle independent of the parser under test.
func realHello(tb testing.TB, cfg *tls.Config) []byte {
	tb.Helper()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := &captureConn{Conn: a}
	if err := tls.Client(c, cfg).Handshake(); err == nil {
		tb.Fatal("handshake against nothing succeeded")
	}
	if c.buf.Len() == 0 {
		tb.Fatal("client wrote nothing")
	}
	return c.buf.Bytes()
}

// realConfigs are the client configurations of the real-hello tests, with
// what ReadFirst must find in each.
func realConfigs(tb testing.TB) []struct {
	name string
	cfg  *tls.Config
	want Hello
} {
	return []struct {
		name string
		cfg  *tls.Config
		want Hello
	}{
		{"default", &tls.Config{ServerName: "allowed.test"}, Hello{ServerName: "allowed.test", TLS13: true}},
		{"tls12", &tls.Config{ServerName: "allowed.test", MaxVersion: tls.VersionTLS12}, Hello{ServerName: "allowed.test"}},
		{"no sni", &tls.Config{InsecureSkipVerify: true}, Hello{TLS13: true}},
		// With ECH the outer hello names the config's public name only.
		{"ech", &tls.Config{ServerName: "secret.test", EncryptedClientHelloConfigList: echConfigList(tb, "public.test")},
			Hello{ServerName: "public.test", ECH: true, TLS13: true}},
	}
}

// echConfigList builds a one-entry ECHConfigList (draft-ietf-tls-esni-22 4)
// for a fresh X25519 key, HKDF-SHA256, AES-128-GCM.
func echConfigList(tb testing.TB, publicName string) []byte {
	key, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	var b cryptobyte.Builder
	b.AddUint16LengthPrefixed(func(list *cryptobyte.Builder) {
		list.AddUint16(0xfe0d)
		list.AddUint16LengthPrefixed(func(c *cryptobyte.Builder) {
			c.AddUint8(1)     // config_id
			c.AddUint16(0x20) // DHKEM(X25519, HKDF-SHA256)
			c.AddUint16LengthPrefixed(func(k *cryptobyte.Builder) { k.AddBytes(key.PublicKey().Bytes()) })
			c.AddUint16LengthPrefixed(func(s *cryptobyte.Builder) { s.AddUint16(1); s.AddUint16(1) })
			c.AddUint8(0) // maximum_name_length
			c.AddUint8LengthPrefixed(func(n *cryptobyte.Builder) { n.AddBytes([]byte(publicName)) })
			c.AddUint16(0) // no extensions
		})
	})
	return b.BytesOrPanic()
}

// ext is one extension of a synthetic ClientHello.
type ext struct {
	typ  uint16
	data []byte
}

// sniExt is a server_name extension with one host_name entry.
func sniExt(name string) ext {
	var b cryptobyte.Builder
	b.AddUint16LengthPrefixed(func(l *cryptobyte.Builder) {
		l.AddUint8(0)
		l.AddUint16LengthPrefixed(func(n *cryptobyte.Builder) { n.AddBytes([]byte(name)) })
	})
	return ext{extServerName, b.BytesOrPanic()}
}

// versionsExt is a client's supported_versions extension.
func versionsExt(vs ...uint16) ext {
	var b cryptobyte.Builder
	b.AddUint8LengthPrefixed(func(l *cryptobyte.Builder) {
		for _, v := range vs {
			l.AddUint16(v)
		}
	})
	return ext{extSupportedVersions, b.BytesOrPanic()}
}

// body fields of a synthetic ClientHello; the zero value is a minimal valid
// TLS 1.2-style hello without an extensions block.
type spec struct {
	sessionID   []byte
	suites      []byte // default: one suite
	compression []byte // default: null
	exts        []ext  // nil: no extensions block at all
	extBytes    []byte // if set, the raw extensions block instead of exts
}

// helloMsg builds a ClientHello handshake message (header included).
func helloMsg(s spec) []byte {
	if s.suites == nil {
		s.suites = []byte{0x13, 0x01}
	}
	if s.compression == nil {
		s.compression = []byte{0}
	}
	var b cryptobyte.Builder
	b.AddUint8(typeClientHello)
	b.AddUint24LengthPrefixed(func(h *cryptobyte.Builder) {
		h.AddUint16(0x0303)
		h.AddBytes(make([]byte, 32))
		h.AddUint8LengthPrefixed(func(x *cryptobyte.Builder) { x.AddBytes(s.sessionID) })
		h.AddUint16LengthPrefixed(func(x *cryptobyte.Builder) { x.AddBytes(s.suites) })
		h.AddUint8LengthPrefixed(func(x *cryptobyte.Builder) { x.AddBytes(s.compression) })
		switch {
		case s.extBytes != nil:
			h.AddBytes(s.extBytes)
		case s.exts != nil:
			h.AddUint16LengthPrefixed(func(x *cryptobyte.Builder) {
				for _, e := range s.exts {
					x.AddUint16(e.typ)
					x.AddUint16LengthPrefixed(func(d *cryptobyte.Builder) { d.AddBytes(e.data) })
				}
			})
		}
	})
	return b.BytesOrPanic()
}

// hello13 is a synthetic TLS 1.3 ClientHello naming name.
func hello13(name string) []byte {
	return helloMsg(spec{sessionID: make([]byte, 32), exts: []ext{sniExt(name), versionsExt(0x0304, 0x0303)}})
}

// frame cuts payload into records of typ, at most size bytes each.
func frame(typ byte, payload []byte, size int) []byte {
	var out []byte
	for len(payload) > 0 {
		n := min(size, len(payload))
		out = append(out, typ, 3, 3, byte(n>>8), byte(n))
		out, payload = append(out, payload[:n]...), payload[n:]
	}
	return out
}

// record is one record of typ holding payload, however long.
func record(typ byte, payload []byte) []byte {
	return append([]byte{typ, 3, 3, byte(len(payload) >> 8), byte(len(payload))}, payload...)
}

// ccs is the change_cipher_spec record TLS 1.3 clients send for middleboxes.
var ccs = record(typeChangeCipherSpec, []byte{1})

// payloads concatenates the payloads of well-formed records.
func payloads(tb testing.TB, records []byte) []byte {
	var out []byte
	for len(records) > 0 {
		if len(records) < headerLen {
			tb.Fatalf("%d stray bytes", len(records))
		}
		n := int(records[3])<<8 | int(records[4])
		out, records = append(out, records[headerLen:headerLen+n]...), records[headerLen+n:]
	}
	return out
}

// cat concatenates byte slices.
func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
