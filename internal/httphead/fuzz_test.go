package httphead

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// FuzzStream feeds arbitrary client bytes to a Stream. Properties:
//   - no panic, and the server gets a prefix of the input;
//   - every returned Host is a lowercase host name or IPv4 address;
//   - the same requests, bytes and error a byte per read: no decision
//     depends on how the client cuts its writes;
//   - for an input accepted in full, net/http reads the same requests. The
//     direction asserted is the one that matters: net/http's requests are
//     a prefix of the stream's, and all of them when net/http reaches the
//     end cleanly. A server that sees a request the gate did not check (or
//     with another host) fails this. Where net/http stops with an error
//     first, it is stricter than the stream there (it would answer 400 and
//     close): that loses no check and is not asserted against.
func FuzzStream(f *testing.F) {
	for _, v := range valid {
		f.Add([]byte(v))
	}
	f.Add([]byte(strings.Join(valid, "")))
	f.Add([]byte(pipelined))
	for _, r := range refusals {
		f.Add([]byte(r.in))
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkStream(t, in) })
}

// FuzzRequestParts builds a request from parts and a following one, so
// that the fuzzer spends its time on heads the stream accepts (where a
// disagreement with net/http would be), not on first bytes it refuses.
func FuzzRequestParts(f *testing.F) {
	next := "GET /next HTTP/1.1\r\nHost: next.test\r\n\r\n"
	f.Add("GET", "/", "a.test", "", "", next)
	f.Add("GET", "http://a.test:80/x", "A.test.", "Connection: Upgrade\r\nUpgrade: x\r\n", "", next)
	f.Add("POST", "/", "a.test:8080", "Content-Length: 5\r\n", "hello", next)
	f.Add("POST", "/", "10.1.2.3", "Content-Length: 35\r\n", next, next)
	f.Add("PUT", "/", "a.test", "Transfer-Encoding: chunked\r\n", "5;e=1\r\nhello\r\n0\r\nX: 1\r\n\r\n", next)
	f.Add("OPTIONS", "*", "a.test", "", "", next)
	f.Add("CONNECT", "a.test:443", "a.test:443", "", "", next)
	f.Fuzz(func(t *testing.T, method, target, host, fields, body, next string) {
		in := method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + fields + "\r\n" + body + next
		checkStream(t, []byte(in))
	})
}

// checkStream asserts FuzzStream's properties for one input.
func checkStream(t *testing.T, in []byte) {
	t.Helper()
	res := run(bytes.NewReader(in))
	if !bytes.HasPrefix(in, res.out) {
		t.Fatalf("server got %q, not a prefix of the input", res.out)
	}
	for _, r := range res.reqs {
		if !validHostName(r.Host) {
			t.Fatalf("returned Host %q", r.Host)
		}
	}
	one := run(iotest.OneByteReader(bytes.NewReader(in)))
	if !slices.Equal(one.reqs, res.reqs) || !bytes.Equal(one.out, res.out) || fmt.Sprint(one.err) != fmt.Sprint(res.err) {
		t.Fatalf("byte per read: %+v, %v; in one read: %+v, %v", one.reqs, one.err, res.reqs, res.err)
	}
	if res.err != io.EOF {
		return
	}
	if !bytes.Equal(res.out, in) {
		t.Fatalf("accepted in full, forwarded %d of %d bytes", len(res.out), len(in))
	}
	want := hosts(res.reqs)
	got, err := readAll(in)
	if len(got) > len(want) || !slices.Equal(got, want[:len(got)]) {
		t.Fatalf("net/http read hosts %q (%v), the stream checked %q", got, err, want)
	}
	if err == io.EOF && len(got) != len(want) {
		t.Fatalf("net/http read %d requests to the end, the stream %d", len(got), len(want))
	}
}

// FuzzReadStatus: no panic, the head is a prefix of the input, and what
// follows it is still there to read.
func FuzzReadStatus(f *testing.F) {
	f.Add([]byte(switching + "\x81\x05hello"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
	f.Add([]byte("HTTP/1.1 101\r\n\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bytes.NewReader(in)
		_, head, err := ReadStatus(r)
		if !bytes.HasPrefix(in, head) || len(head) > MaxHead {
			t.Fatalf("head %q", head)
		}
		if rest, _ := io.ReadAll(r); err == nil && !bytes.Equal(rest, in[len(head):]) {
			t.Fatalf("left %q after a head of %d bytes", rest, len(head))
		}
	})
}
