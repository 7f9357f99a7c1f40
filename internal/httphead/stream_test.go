package httphead

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// pipelined is three requests in one write: the second's body looks like a
// request for evil.test, the third is chunked with an extension and a
// trailer. A gate that checked the first Host only, or miscounted a body,
// would let evil.test through.
const pipelined = "GET /one HTTP/1.1\r\nHost: a.test\r\n\r\n" +
	"POST /two HTTP/1.1\r\nHost: B.Test:8080\r\nContent-Length: 35\r\n\r\n" +
	"GET / HTTP/1.1\r\nHost: evil.test\r\n\r\n" +
	"POST /three HTTP/1.1\r\nhost: c.test.\r\ntransfer-encoding: Chunked\r\n\r\n" +
	"5;ext=1\r\nhello\r\n" +
	"1f\r\nGET / HTTP/1.1\r\nHost: evil.test\r\n" +
	"0\r\nX-Sum: 1\r\n\r\n"

func TestPipelined(t *testing.T) {
	for name, r := range map[string]func() io.Reader{
		"one write":     func() io.Reader { return strings.NewReader(pipelined) },
		"byte per read": func() io.Reader { return iotest.OneByteReader(strings.NewReader(pipelined)) },
		"eof with data": func() io.Reader { return iotest.DataErrReader(strings.NewReader(pipelined)) },
	} {
		t.Run(name, func(t *testing.T) {
			res := run(r())
			if res.err != io.EOF {
				t.Fatalf("err = %v, want io.EOF", res.err)
			}
			want := []Request{{Host: "a.test", Method: "GET"}, {Host: "b.test", Method: "POST", Body: true}, {Host: "c.test", Method: "POST", Body: true}}
			if !slices.Equal(res.reqs, want) {
				t.Errorf("requests = %+v, want %+v", res.reqs, want)
			}
			if string(res.out) != pipelined {
				t.Errorf("server got %q, want the input exactly", res.out)
			}
		})
	}
}

func TestUpgradeFlag(t *testing.T) {
	for _, tc := range []struct {
		fields, protocols string
		want              bool
	}{
		{"Upgrade: websocket\r\nConnection: Upgrade\r\n", "websocket", true},
		{"Upgrade: websocket\r\nConnection: keep-alive, UPGRADE\r\n", "websocket", true},
		{"Connection: keep-alive\r\nUpgrade:  h2c, foo/2 \r\nConnection: upgrade\r\n", "h2c, foo/2", true},
		{"Upgrade: websocket\r\n", "websocket", false},
		{"Connection: upgrade\r\n", "", false},
		{"Upgrade: websocket\r\nConnection: upgrades\r\n", "websocket", false},
	} {
		res := run(strings.NewReader("GET /ws HTTP/1.1\r\nHost: a.test\r\n" + tc.fields + "\r\n"))
		if res.err != io.EOF || len(res.reqs) != 1 || res.reqs[0].Upgrade != tc.want || res.reqs[0].Protocols != tc.protocols {
			t.Errorf("%q: %+v, %v; want Upgrade %v, Protocols %q", tc.fields, res.reqs, res.err, tc.want, tc.protocols)
		}
	}
}

func TestHostNormalised(t *testing.T) {
	for in, want := range map[string]string{
		"Example.COM":                   "example.com",
		"example.com:8080":              "example.com",
		"example.com.":                  "example.com",
		"example.com.:443":              "example.com",
		"10.0.0.1":                      "10.0.0.1",
		"10.0.0.1:80":                   "10.0.0.1",
		"_dmarc.x-y.test":               "_dmarc.x-y.test",
		"localhost":                     "localhost",
		"1a.test":                       "1a.test",
		"a.123b":                        "a.123b",
		strings.Repeat("a", 63):         strings.Repeat("a", 63),
		"a:65535":                       "a",
		strings.Repeat("a.", 126) + "a": strings.Repeat("a.", 126) + "a",
	} {
		res := run(strings.NewReader("GET / HTTP/1.1\r\nHost: " + in + "\r\n\r\n"))
		if res.err != io.EOF || len(res.reqs) != 1 || res.reqs[0].Host != want {
			t.Errorf("Host %q: %+v, %v; want %q", in, res.reqs, res.err, want)
		}
	}
}

func TestMethodAndTargets(t *testing.T) {
	for _, head := range []string{
		"OPTIONS * HTTP/1.1\r\nHost: a.test\r\n\r\n",
		"GET http://A.test/x HTTP/1.1\r\nHost: a.test\r\n\r\n",
		"GET HTTP://a.test:8080?q HTTP/1.1\r\nHost: a.test:8080\r\n\r\n",
		"GET http://a.test:8080/ HTTP/1.1\r\nHost: a.test\r\n\r\n",
		"CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n\r\n",
		"PROPFIND /%7e?a=b;c HTTP/1.1\r\nHost: a.test\r\n\r\n",
		"GET / HTTP/1.0\r\nHost: a.test\r\n\r\n",
	} {
		res := run(strings.NewReader(head))
		method, _, _ := strings.Cut(head, " ")
		if res.err != io.EOF || len(res.reqs) != 1 || res.reqs[0].Method != method || res.reqs[0].Host != "a.test" {
			t.Errorf("%q: %+v, %v", head, res.reqs, res.err)
		}
	}
}

// TestSniffDoesNotWait: a TLS client sends its ClientHello and waits; the
// stream must refuse it on the first byte, not wait for a line end.
func TestSniffDoesNotWait(t *testing.T) {
	for _, first := range []string{"\x16\x03\x01\x02\x00", "SSH-2.0-x", "get "} {
		pr, pw := io.Pipe()
		go func() { _, _ = pw.Write([]byte(first)) }()
		done := make(chan error, 1)
		go func() { _, err := NewStream(pr, io.Discard).Next(); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotHTTP) {
				t.Errorf("%q: %v, want ErrNotHTTP", first, err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("%q: Next still waiting for more bytes", first)
		}
		pw.Close()
	}
}

func TestBuffered(t *testing.T) {
	head := "GET /ws HTTP/1.1\r\nHost: a.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
	frames := "\x81\x85frame bytes, not HTTP"
	var out bytes.Buffer
	s := NewStream(strings.NewReader(head+frames), &out)
	req, err := s.Next()
	if err != nil || !req.Upgrade {
		t.Fatalf("%+v, %v", req, err)
	}
	if got := string(s.Buffered()); got != head+frames {
		t.Errorf("buffered before forward = %q", got)
	}
	if err := s.Forward(); err != nil {
		t.Fatal(err)
	}
	if out.String() != head || string(s.Buffered()) != frames {
		t.Errorf("forwarded %q, buffered %q", out.Bytes(), s.Buffered())
	}
}

// maxWriter records the largest write.
type maxWriter struct{ n, max int }

func (w *maxWriter) Write(b []byte) (int, error) {
	w.n += len(b)
	w.max = max(w.max, len(b))
	return len(b), nil
}

func TestBodyStreamedInBoundedWrites(t *testing.T) {
	body := strings.Repeat("x", 1<<20)
	in := "POST / HTTP/1.1\r\nHost: a.test\r\nContent-Length: 1048576\r\n\r\n" + body +
		"POST / HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\n" + body + "\r\n0\r\n\r\n"
	w := &maxWriter{}
	s := NewStream(strings.NewReader(in), w)
	for range 2 {
		if _, err := s.Next(); err != nil {
			t.Fatal(err)
		}
		if err := s.Forward(); err != nil {
			t.Fatal(err)
		}
	}
	if w.n != len(in) || w.max > MaxHead {
		t.Errorf("wrote %d of %d bytes, largest write %d (bound %d)", w.n, len(in), w.max, MaxHead)
	}
}
