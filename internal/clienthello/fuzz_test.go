package clienthello

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"regexp"
	"testing"
	"testing/iotest"
)

// validName is the host name rule, restated independently of hostName.
var validName = regexp.MustCompile(`^([a-z0-9_-]{1,63}\.)*[a-z0-9_-]{1,63}$`)

// checkHello fails unless h.ServerName is empty or a valid, lowercase host
// name without a trailing dot.
func checkHello(t *testing.T, h Hello) {
	if h.ServerName != "" && (len(h.ServerName) > 253 || !validName.MatchString(h.ServerName)) {
		t.Fatalf("invalid server name %q", h.ServerName)
	}
}

// knownError fails unless err is nil or one the gate can tell apart.
func knownError(t *testing.T, err error) {
	for _, known := range []error{nil, ErrNotTLS, ErrTooLarge, ErrMalformed, io.EOF, io.ErrUnexpectedEOF, errRefused} {
		if errors.Is(err, known) {
			return
		}
	}
	t.Fatalf("unexpected error %v", err)
}

// seeds are real and synthetic hellos for both fuzz targets.
func seeds(tb testing.TB) [][]byte {
	var out [][]byte
	for _, c := range realConfigs(tb) {
		raw := realHello(tb, c.cfg)
		out = append(out, raw, frame(typeHandshake, payloads(tb, raw), 600))
	}
	return append(out,
		record(22, hello13("allowed.test")),
		record(22, helloMsg(spec{})),
		frame(22, hello13("a.test"), 7),
		[]byte("SSH-2.0-OpenSSH_9.2\r\n"),
	)
}

// FuzzReadFirst: no panic; what is consumed is what is returned, a prefix of
// the input; names are valid; reading one byte at a time changes nothing.
func FuzzReadFirst(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		h, raw, err := ReadFirst(r)
		knownError(t, err)
		consumed := len(data) - r.Len()
		if err == nil && !bytes.Equal(raw, data[:consumed]) {
			t.Fatalf("returned %d bytes, consumed %d", len(raw), consumed)
		}
		if err != nil && (raw != nil || h != Hello{}) {
			t.Fatalf("returned %+v and %d bytes with %v", h, len(raw), err)
		}
		checkHello(t, h)
		h1, raw1, err1 := ReadFirst(iotest.OneByteReader(bytes.NewReader(data)))
		if h1 != h || !bytes.Equal(raw1, raw) || (err1 == nil) != (err == nil) || err1 != nil && err1.Error() != err.Error() {
			t.Fatalf("one byte per read: %+v, %d bytes, %v; whole: %+v, %d bytes, %v", h1, len(raw1), err1, h, len(raw), err)
		}
	})
}

// FuzzFollow: no panic; what is written is a prefix of the input and, when
// inspection ends cleanly, all that was read; reads are bounded; checked
// hellos have valid names; a TLS 1.2 first hello reads nothing.
func FuzzFollow(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s, true)
		f.Add(cat(ccs, s, record(23, []byte("x"))), true)
	}
	f.Add(cat(ccs, record(22, hello13("refused.test"))), true)
	f.Add(cat(ccs, record(22, []byte{1, 0, 0, 4, 3, 3, 0, 0})), true)
	f.Add(record(22, hello13("a.test")), false)
	f.Fuzz(func(t *testing.T, data []byte, tls13 bool) {
		r := bytes.NewReader(data)
		var w bytes.Buffer
		err := Follow(r, &w, Hello{TLS13: tls13}, func(h Hello) error {
			checkHello(t, h)
			if h.ServerName == "refused.test" {
				return errRefused
			}
			return nil
		})
		knownError(t, err)
		consumed := len(data) - r.Len()
		switch {
		case !bytes.Equal(w.Bytes(), data[:min(w.Len(), len(data))]) || w.Len() > consumed:
			t.Fatalf("wrote %d bytes that are not a prefix of the %d read", w.Len(), consumed)
		case err == nil && w.Len() != consumed:
			t.Fatalf("read %d bytes, wrote only %d", consumed, w.Len())
		case consumed > maxRead:
			t.Fatalf("read %d bytes, limit %d", consumed, maxRead)
		case !tls13 && consumed != 0:
			t.Fatalf("read %d bytes for a TLS 1.2 client", consumed)
		}
	})
}

// BenchmarkReadFirst reads Go's default (post-quantum, ~1.8 KB) ClientHello.
func BenchmarkReadFirst(b *testing.B) {
	hello := realHello(b, &tls.Config{ServerName: "allowed.test"})
	r := bytes.NewReader(hello)
	b.ReportAllocs()
	b.SetBytes(int64(len(hello)))
	for b.Loop() {
		r.Reset(hello)
		if _, _, err := ReadFirst(r); err != nil {
			b.Fatal(err)
		}
	}
}
