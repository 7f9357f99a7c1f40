package probe

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"

	"golang.org/x/crypto/cryptobyte"
)

// TLS values a tls-hello probe writes and reads.
const (
	recordHandshake = 0x16
	recordAlert     = 0x15
	msgClientHello  = 1
	msgServerHello  = 2
	extPadding      = 21     // RFC 7685
	extECH          = 0xfe0d // encrypted_client_hello
	maxRecord       = 16384  // the most plaintext a TLS record carries
)

// probeTLSHello sends Go's own ClientHello for s.Name, grown to s.Pad
// bytes and given a GREASE ECH extension when asked, in records of at
// most s.Record bytes, and reads the server's first record. The hello is
// changed after Go wrote it, so no handshake could finish: the ServerHello
// is the proof that it got through. A reset is Refused.
func probeTLSHello(ctx context.Context, s Spec) Result {
	if s.Name == "" || s.Pad < 0 || s.Pad > 4*maxRecord || s.Record < 0 {
		return Result{Outcome: Error, Detail: fmt.Sprintf("tls-hello probe: want a name, pad 0-%d and record >= 0, got %q %d %d", 4*maxRecord, s.Name, s.Pad, s.Record)}
	}
	hello, err := goHello(ctx, s.Name)
	if err == nil && s.ECH {
		hello, err = addExtension(hello, extECH, greaseECH())
	}
	if grow := s.Pad - len(hello) - 4; err == nil && grow > 0 {
		hello, err = addExtension(hello, extPadding, make([]byte, grow))
	}
	if err != nil {
		return Result{Outcome: Error, Detail: "tls-hello probe: " + err.Error()}
	}
	c, err := (&net.Dialer{}).DialContext(ctx, "tcp", s.Target)
	if err != nil {
		return failed(err)
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	records, n := frameHello(hello, s.Record)
	if _, err := c.Write(records); err != nil {
		return failed(err)
	}
	r := readServerHello(c)
	r.Detail = fmt.Sprintf("a %d-byte ClientHello for %s in %d records: %s", len(hello), s.Name, n, r.Detail)
	return r
}

// goHello is the ClientHello message crypto/tls writes for name.
func goHello(ctx context.Context, name string) ([]byte, error) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := &capture{Conn: a}
	_ = tls.Client(c, &tls.Config{ServerName: name, InsecureSkipVerify: true}).HandshakeContext(ctx)
	rec := c.buf
	if len(rec) < 9 || rec[0] != recordHandshake || rec[5] != msgClientHello {
		return nil, errors.New("crypto/tls wrote no ClientHello record")
	}
	n := int(rec[3])<<8 | int(rec[4])
	if len(rec) < 5+n {
		return nil, errors.New("crypto/tls wrote a short record")
	}
	return rec[5 : 5+n], nil
}

// capture keeps what a crypto/tls client writes and ends its handshake at
// the first read, when the ClientHello has been written whole.
type capture struct {
	net.Conn // one end of a net.Pipe, for addresses and deadlines only
	buf      []byte
}

func (c *capture) Write(b []byte) (int, error) { c.buf = append(c.buf, b...); return len(b), nil }
func (c *capture) Read([]byte) (int, error)    { return 0, io.EOF }

// addExtension appends extension typ with data to a ClientHello message.
func addExtension(msg []byte, typ uint16, data []byte) ([]byte, error) {
	in := cryptobyte.String(msg)
	var body, sid, suites, comp, exts cryptobyte.String
	if !in.Skip(1) || !in.ReadUint24LengthPrefixed(&body) || !body.Skip(34) || !body.ReadUint8LengthPrefixed(&sid) ||
		!body.ReadUint16LengthPrefixed(&suites) || !body.ReadUint8LengthPrefixed(&comp) || !body.ReadUint16LengthPrefixed(&exts) {
		return nil, errors.New("cannot parse crypto/tls's ClientHello")
	}
	head := msg[4 : len(msg)-len(exts)-2] // version .. compression methods
	var b cryptobyte.Builder
	b.AddUint8(msgClientHello)
	b.AddUint24LengthPrefixed(func(h *cryptobyte.Builder) {
		h.AddBytes(head)
		h.AddUint16LengthPrefixed(func(e *cryptobyte.Builder) {
			e.AddBytes(exts)
			e.AddUint16(typ)
			e.AddUint16LengthPrefixed(func(d *cryptobyte.Builder) { d.AddBytes(data) })
		})
	})
	return b.Bytes()
}

// greaseECH is an outer encrypted_client_hello extension as browsers send
// for GREASE: HKDF-SHA256, AES-128-GCM, a random config id, key and payload.
func greaseECH() []byte {
	random := func(n int) []byte { b := make([]byte, n); rand.Read(b); return b }
	var b cryptobyte.Builder
	b.AddUint8(0) // outer
	b.AddUint16(1)
	b.AddUint16(1)
	b.AddBytes(random(1))
	b.AddUint16LengthPrefixed(func(e *cryptobyte.Builder) { e.AddBytes(random(32)) })
	b.AddUint16LengthPrefixed(func(p *cryptobyte.Builder) { p.AddBytes(random(176)) })
	return b.BytesOrPanic()
}

// frameHello cuts msg into handshake records of at most size bytes
// (maxRecord when 0) and says how many.
func frameHello(msg []byte, size int) ([]byte, int) {
	if size <= 0 || size > maxRecord {
		size = maxRecord
	}
	var out []byte
	n := 0
	for ; len(msg) > 0; n++ {
		k := min(size, len(msg))
		out = append(out, recordHandshake, 3, 1, byte(k>>8), byte(k))
		out, msg = append(out, msg[:k]...), msg[k:]
	}
	return out, n
}

// readServerHello reads the server's first record: a ServerHello is
// Connected, an alert or anything else an Error (the server saw the hello
// and did not take it: the probe's hello is at fault, not the path).
func readServerHello(c net.Conn) Result {
	var h [6]byte
	if _, err := io.ReadFull(c, h[:]); err != nil {
		return failed(err)
	}
	switch {
	case h[0] == recordHandshake && h[5] == msgServerHello:
		return Result{Outcome: Connected, Detail: "ServerHello"}
	case h[0] == recordAlert:
		return Result{Outcome: Error, Detail: fmt.Sprintf("the server sent an alert (level %d, description %d)", h[5], readByte(c))}
	}
	return Result{Outcome: Error, Detail: fmt.Sprintf("the server's first record is not a ServerHello (% x)", h)}
}

// readByte is the next byte of c, 0 when there is none.
func readByte(c net.Conn) byte {
	var b [1]byte
	io.ReadFull(c, b[:])
	return b[0]
}
