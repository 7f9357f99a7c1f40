package httphead

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

const switching = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"

// TestReadStatusLeavesTheRest: the head and nothing more, whether r is a
// plain reader (read byte-wise) or a bufio.Reader the caller keeps.
func TestReadStatusLeavesTheRest(t *testing.T) {
	const frames = "\x81\x05hello"
	readers := map[string]func(io.Reader) io.Reader{
		"plain":    func(r io.Reader) io.Reader { return r },
		"one byte": func(r io.Reader) io.Reader { return iotest.OneByteReader(r) },
		"bufio":    func(r io.Reader) io.Reader { return bufio.NewReader(r) },
	}
	for name, wrap := range readers {
		r := wrap(strings.NewReader(switching + frames))
		code, head, err := ReadStatus(r)
		if err != nil || code != 101 || string(head) != switching {
			t.Errorf("%s: %d %q %v", name, code, head, err)
		}
		if rest, _ := io.ReadAll(r); string(rest) != frames {
			t.Errorf("%s: left %q, want the frame bytes", name, rest)
		}
	}
}

func TestReadStatusCodes(t *testing.T) {
	for in, want := range map[string]int{
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n": 200,
		"HTTP/1.0 404 Not Found\r\n\r\n":               404,
		"HTTP/1.1 101\r\n\r\n":                         101,
		"HTTP/1.1 400 \r\n\r\n":                        400,
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 101":    100,
	} {
		code, head, err := ReadStatus(strings.NewReader(in))
		if err != nil || code != want || !strings.HasPrefix(in, string(head)) || !strings.HasSuffix(string(head), "\r\n\r\n") {
			t.Errorf("%q: %d %q %v, want %d", in, code, head, err, want)
		}
	}
}

func TestReadStatusRefusals(t *testing.T) {
	for in, want := range map[string]error{
		"SSH-2.0-x\r\n":                         ErrNotHTTP,
		"HTTP/2 200\r\n\r\n":                    ErrNotHTTP,
		"HTTP/1.1 200 OK\n\n":                   ErrMalformed,
		"HTTP/1.1 20 OK\r\n\r\n":                ErrMalformed,
		"HTTP/1.1 099 OK\r\n\r\n":               ErrMalformed,
		"HTTP/1.1 2000 OK\r\n\r\n":              ErrMalformed,
		"HTTP/1.2 200 OK\r\n\r\n":               ErrMalformed,
		"HTTP/1.1  200 OK\r\n\r\n":              ErrMalformed,
		"HTTP/1.1 200 O\x00K\r\n\r\n":           ErrMalformed,
		"HTTP/1.1 200 OK\r\nX\r\n\r\n":          ErrMalformed,
		"HTTP/1.1 200 OK\r\nX: a\nY: b\r\n\r\n": ErrMalformed,
		"HTTP/1.1 200 OK\r\nX: 1\r\n":           io.ErrUnexpectedEOF,
		"":                                      io.EOF,
		"HTTP/1.1 200 OK\r\n" + strings.Repeat("X: y\r\n", 101) + "\r\n":     ErrTooLarge,
		"HTTP/1.1 200 OK\r\nX: " + strings.Repeat("x", MaxHead) + "\r\n\r\n": ErrTooLarge,
	} {
		if _, _, err := ReadStatus(strings.NewReader(in)); !errors.Is(err, want) {
			t.Errorf("%q: %v, want %v", quote([]byte(in)), err, want)
		}
	}
}
