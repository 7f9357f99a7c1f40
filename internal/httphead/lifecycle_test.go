package httphead

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestOrderMisuse(t *testing.T) {
	s := NewStream(strings.NewReader(pipelined), io.Discard)
	if err := s.Forward(); !errors.Is(err, errNoRequest) {
		t.Errorf("forward first: %v", err)
	}
	if _, err := s.Next(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Next(); !errors.Is(err, errNotForwarded) {
		t.Errorf("next twice: %v", err)
	}
	if err := s.Forward(); err != nil {
		t.Errorf("forward after the misuse: %v", err)
	}
}

func TestErrorIsSticky(t *testing.T) {
	var out bytes.Buffer
	s := NewStream(strings.NewReader("GET / HTTP/1.1\r\nHost: a.test\nX: y\r\n\r\nGET / HTTP/1.1\r\nHost: a.test\r\n\r\n"), &out)
	_, err1 := s.Next()
	_, err2 := s.Next()
	if !errors.Is(err1, ErrMalformed) || err2 != err1 || s.Forward() != err1 || out.Len() != 0 {
		t.Errorf("errors %v, %v; wrote %q", err1, err2, out.Bytes())
	}
}

func TestTruncated(t *testing.T) {
	for _, in := range []string{
		"G",
		"GET / HTTP/1.1\r\nHost: a.test\r\n",
		"POST / HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\n\r\nabc",
		"POST / HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello",
		"POST / HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n",
	} {
		res := run(strings.NewReader(in))
		if !errors.Is(res.err, io.ErrUnexpectedEOF) {
			t.Errorf("%q: %v, want unexpected EOF", in, res.err)
		}
	}
}

func TestWriteErrorWrapped(t *testing.T) {
	s := NewStream(strings.NewReader(pipelined), failWriter{})
	if _, err := s.Next(); err != nil {
		t.Fatal(err)
	}
	if err := s.Forward(); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("forward: %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }
