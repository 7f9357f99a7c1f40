package clienthello

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadFirstReal reads ClientHellos written by Go's crypto/tls, whole, one
// byte per read, and re-framed into 600-byte records, and checks that exactly
// the hello's bytes are consumed and returned.
func TestReadFirstReal(t *testing.T) {
	for _, c := range realConfigs(t) {
		raw := realHello(t, c.cfg)
		if c.name == "default" && len(raw) <= 1500 {
			t.Errorf("default hello is %d bytes, want > 1500 (post-quantum key share)", len(raw))
		}
		reframed := frame(typeHandshake, payloads(t, raw), 600)
		if n := bytes.Count(reframed, []byte{typeHandshake, 3, 3}); c.name == "default" && n < 3 {
			t.Errorf("re-framed default hello has %d records, want >= 3", n)
		}
		for _, input := range []struct {
			how   string
			bytes []byte
			wrap  func(io.Reader) io.Reader
		}{
			{"whole", raw, func(r io.Reader) io.Reader { return r }},
			{"one byte per read", raw, iotest.OneByteReader},
			{"600-byte records", reframed, iotest.OneByteReader},
		} {
			t.Run(c.name+"/"+input.how, func(t *testing.T) {
				r := bytes.NewReader(cat(input.bytes, []byte("NEXT")))
				h, got, err := ReadFirst(input.wrap(r))
				if err != nil {
					t.Fatal(err)
				}
				if h != c.want {
					t.Errorf("hello = %+v, want %+v", h, c.want)
				}
				if !bytes.Equal(got, input.bytes) {
					t.Errorf("returned %d bytes, want the %d written", len(got), len(input.bytes))
				}
				if rest, _ := io.ReadAll(r); string(rest) != "NEXT" {
					t.Errorf("left %q unread, want %q", rest, "NEXT")
				}
			})
		}
	}
}

// TestReadFirstSynthetic covers hellos crypto/tls does not write.
func TestReadFirstSynthetic(t *testing.T) {
	ech := ext{extECH, []byte{0}}
	for _, c := range []struct {
		name  string
		input []byte
		want  Hello
	}{
		{"no extensions", record(typeHandshake, helloMsg(spec{})), Hello{}},
		{"empty extensions", record(typeHandshake, helloMsg(spec{exts: []ext{}})), Hello{}},
		{"ech", record(typeHandshake, helloMsg(spec{exts: []ext{sniExt("public.test"), ech, versionsExt(0x0304)}})),
			Hello{ServerName: "public.test", ECH: true, TLS13: true}},
		{"upper case, trailing dot", record(typeHandshake, helloMsg(spec{exts: []ext{sniExt("Allowed.TEST.")}})),
			Hello{ServerName: "allowed.test"}},
		{"tls 1.2 only versions", record(typeHandshake, helloMsg(spec{exts: []ext{versionsExt(0x0303, 0x0302)}})), Hello{}},
		{"one-byte records", frame(typeHandshake, hello13("allowed.test"), 1), Hello{ServerName: "allowed.test", TLS13: true}},
		{"header split over records", cat(frame(typeHandshake, hello13("a.test")[:2], 2), frame(typeHandshake, hello13("a.test")[2:], 1000)),
			Hello{ServerName: "a.test", TLS13: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, raw, err := ReadFirst(bytes.NewReader(c.input))
			if err != nil {
				t.Fatal(err)
			}
			if h != c.want {
				t.Errorf("hello = %+v, want %+v", h, c.want)
			}
			if !bytes.Equal(raw, c.input) {
				t.Errorf("returned %d bytes, want the %d given", len(raw), len(c.input))
			}
		})
	}
}

// TestReadFirstErrors checks which error each kind of bad input gives, and
// that nothing is returned with it.
func TestReadFirstErrors(t *testing.T) {
	real := realHello(t, realConfigs(t)[0].cfg)
	big := helloMsg(spec{exts: []ext{{0x15, make([]byte, 17<<10)}}})
	for _, c := range []struct {
		name  string
		input []byte
		want  error
	}{
		{"ssh", []byte("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"), ErrNotTLS},
		{"http", []byte("GET / HTTP/1.1\r\nHost: allowed.test\r\n\r\n"), ErrNotTLS},
		{"application data first", record(23, []byte("x")), ErrNotTLS},
		{"record version 0x0200", []byte{22, 2, 0, 0, 1, 1}, ErrNotTLS},
		{"record version 0x0305", []byte{22, 3, 5, 0, 1, 1}, ErrNotTLS},
		{"nothing", nil, io.EOF},
		{"partial header", []byte{22, 3}, io.ErrUnexpectedEOF},
		{"truncated payload", real[:len(real)-10], io.ErrUnexpectedEOF},
		{"truncated at a record boundary", frame(typeHandshake, payloads(t, real), 600)[:605], io.ErrUnexpectedEOF},
		{"17 KiB hello", frame(typeHandshake, big, 16384), ErrTooLarge},
		{"record over 16640 bytes", []byte{22, 3, 1, 0x41, 0x01, 1}, ErrTooLarge},
		{"16 KiB hello in 1-byte records", frame(typeHandshake, helloMsg(spec{exts: []ext{{0x15, make([]byte, 16000)}}}), 1), ErrTooLarge},
		{"empty handshake record", cat(record(22, nil), record(22, hello13("a.test"))), ErrMalformed},
		{"server hello", record(22, []byte{2, 0, 0, 0}), ErrMalformed},
		{"trailing bytes in the record", record(22, cat(hello13("a.test"), []byte{20, 0, 0, 0})), ErrMalformed},
		{"alert between fragments", cat(frame(22, hello13("a.test")[:10], 10), record(21, []byte{1, 0}), frame(22, hello13("a.test")[10:], 1000)), ErrMalformed},
		{"later record version 0x0305", cat(frame(22, hello13("a.test")[:10], 10), []byte{22, 3, 5, 0, 1, 1}), ErrMalformed},
		{"legacy_version 0x0200", record(22, cat(hello13("a.test")[:4], []byte{2, 0}, hello13("a.test")[6:])), ErrMalformed},
		{"short body", record(22, []byte{1, 0, 0, 2, 3, 3}), ErrMalformed},
		{"33-byte session id", record(22, helloMsg(spec{sessionID: make([]byte, 33)})), ErrMalformed},
		{"no cipher suites", record(22, helloMsg(spec{suites: []byte{}})), ErrMalformed},
		{"odd cipher suites", record(22, helloMsg(spec{suites: []byte{0x13, 0x01, 0x13}})), ErrMalformed},
		{"no compression", record(22, helloMsg(spec{compression: []byte{}})), ErrMalformed},
		{"extensions length too long", record(22, helloMsg(spec{extBytes: []byte{0, 9, 0, 0, 0}})), ErrMalformed},
		{"bytes after extensions", record(22, helloMsg(spec{extBytes: []byte{0, 0, 7}})), ErrMalformed},
		{"two sni extensions", record(22, helloMsg(spec{exts: []ext{sniExt("a.test"), versionsExt(0x0304), sniExt("b.test")}})), ErrMalformed},
		{"two unknown extensions", record(22, helloMsg(spec{exts: []ext{{0x1234, nil}, {0x1234, nil}}})), ErrMalformed},
		{"two sni entries", record(22, helloMsg(spec{exts: []ext{{extServerName, []byte{0, 12, 0, 0, 3, 'a', '.', 'b', 0, 0, 3, 'c', '.', 'd'}}}})), ErrMalformed},
		{"sni name type 1", record(22, helloMsg(spec{exts: []ext{{extServerName, []byte{0, 6, 1, 0, 3, 'a', '.', 'b'}}}})), ErrMalformed},
		{"empty sni list", record(22, helloMsg(spec{exts: []ext{{extServerName, []byte{0, 0}}}})), ErrMalformed},
		{"sni space", record(22, helloMsg(spec{exts: []ext{sniExt("allowed.test evil.test")}})), ErrMalformed},
		{"sni control byte", record(22, helloMsg(spec{exts: []ext{sniExt("allowed.test\x00.evil.test")}})), ErrMalformed},
		{"sni empty label", record(22, helloMsg(spec{exts: []ext{sniExt("allowed..test")}})), ErrMalformed},
		{"sni 300 bytes", record(22, helloMsg(spec{exts: []ext{sniExt(strings.Repeat("a.", 150))}})), ErrMalformed},
		{"odd supported_versions", record(22, helloMsg(spec{exts: []ext{{extSupportedVersions, []byte{3, 3, 4, 3}}}})), ErrMalformed},
		{"empty supported_versions", record(22, helloMsg(spec{exts: []ext{{extSupportedVersions, []byte{0}}}})), ErrMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, raw, err := ReadFirst(bytes.NewReader(c.input))
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if h != (Hello{}) || raw != nil {
				t.Errorf("returned %+v and %d bytes with the error", h, len(raw))
			}
			if strings.HasPrefix(err.Error(), "clienthello: ") == false {
				t.Errorf("error %q lacks the package context", err)
			}
		})
	}
}

// TestReadFirstNotTLSAtOnce: a client speaking first in another protocol is
// refused on its first byte, not after a read that might block.
func TestReadFirstNotTLSAtOnce(t *testing.T) {
	r := bytes.NewReader([]byte("SSH-2.0-x\r\n"))
	if _, _, err := ReadFirst(iotest.OneByteReader(r)); !errors.Is(err, ErrNotTLS) {
		t.Fatalf("err = %v, want ErrNotTLS", err)
	}
	if r.Len() != len("SSH-2.0-x\r\n")-1 {
		t.Errorf("read %d bytes, want 1", len("SSH-2.0-x\r\n")-r.Len())
	}
}

// TestReadFirstStopsEarly: a first handshake message that is not a
// ClientHello, or declares too much, is refused without reading its rest.
func TestReadFirstStopsEarly(t *testing.T) {
	for _, c := range []struct {
		name  string
		first []byte
		want  error
	}{
		{"server hello", record(22, []byte{2, 0, 0x10, 0}), ErrMalformed},
		{"client hello over MaxHello", record(22, []byte{1, 0, 0x40, 1}), ErrTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := bytes.NewReader(cat(c.first, record(22, make([]byte, 100))))
			if _, _, err := ReadFirst(r); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if r.Len() != 105 {
				t.Errorf("read %d bytes past the first record", 105-r.Len())
			}
		})
	}
}
