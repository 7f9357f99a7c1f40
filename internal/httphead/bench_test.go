package httphead

import (
	"io"
	"testing"
)

// typical is a 400-byte browser-like GET.
const typical = "GET /api/v1/items?page=2&sort=name HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
	"Referer: https://www.example.com/\r\n" +
	"Connection: keep-alive\r\n" +
	"Cookie: session=0123456789abcdef01234\r\n" +
	"\r\n"

// repeater yields its bytes forever, as a keep-alive client would.
type repeater struct {
	b   []byte
	off int
}

func (r *repeater) Read(p []byte) (int, error) {
	n := copy(p, r.b[r.off:])
	r.off = (r.off + n) % len(r.b)
	return n, nil
}

// BenchmarkNextForward measures one request through Next and Forward on a
// keep-alive connection.
func BenchmarkNextForward(b *testing.B) {
	if len(typical) != 400 {
		b.Fatalf("typical is %d bytes", len(typical))
	}
	s := NewStream(&repeater{b: []byte(typical)}, io.Discard)
	b.SetBytes(int64(len(typical)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Next(); err != nil {
			b.Fatal(err)
		}
		if err := s.Forward(); err != nil {
			b.Fatal(err)
		}
	}
}
