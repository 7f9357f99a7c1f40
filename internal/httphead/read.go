package httphead

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// readHead reads and parses one request head into s.head.
func (s *Stream) readHead() (Request, error) {
	s.head = s.head[:0]
	if err := s.sniff(); err != nil {
		return Request{}, err
	}
	line, err := s.headLine()
	if err != nil {
		return Request{}, err
	}
	rl, err := parseRequestLine(line)
	if err != nil {
		return Request{}, err
	}
	var f fields
	for {
		if line, err = s.headLine(); err != nil {
			return Request{}, err
		}
		if len(line) == 0 {
			break
		}
		if err := f.add(line); err != nil {
			return Request{}, err
		}
	}
	var host hostPort
	if s.body, err = f.finish(rl, &host); err != nil {
		return Request{}, err
	}
	return Request{
		Host:      s.hostString(host.name()),
		Method:    rl.method,
		Upgrade:   f.upgrades > 0 && f.connUpgrade,
		Protocols: string(f.protocols),
		Body:      s.body.chunked || s.body.length > 0,
	}, nil
}

// hostString returns name as a string, reusing the previous request's
// when it is the same (keep-alive connections mostly are).
func (s *Stream) hostString(name []byte) string {
	if string(name) != s.lastHost {
		s.lastHost = string(name)
	}
	return s.lastHost
}

// sniff looks at the first bytes one at a time, up to the method's space,
// so that a client speaking another protocol (a TLS ClientHello, an SSH
// banner, both waiting for the server) is told apart at once instead of
// after a line end it will never send. An empty line before the request
// line is refused: RFC 9112 lets servers skip it, but no client needs it
// and it is the mark of a body whose length was miscounted.
func (s *Stream) sniff() error {
	for i := 1; i <= maxMethod+1; i++ {
		b, err := s.br.Peek(i)
		if len(b) < i {
			if i == 1 && err == io.EOF {
				return io.EOF
			}
			return fmt.Errorf("request line: %w", unexpected(err))
		}
		switch c := b[i-1]; {
		case 'A' <= c && c <= 'Z':
		case c == ' ' && i > 1:
			return nil
		case i == 1 && (c == '\r' || c == '\n'):
			return refuse(ErrMalformed, "empty line before the request line", b)
		default:
			return refuse(ErrNotHTTP, "first bytes", b)
		}
	}
	return refuse(ErrNotHTTP, "method longer than 20 bytes", nil)
}

// headLine reads one line of the head, appends it to s.head within MaxHead
// and returns it without its CRLF.
func (s *Stream) headLine() ([]byte, error) {
	line, err := s.readLine(MaxHead-len(s.head), "request head")
	if err != nil {
		return nil, err
	}
	start := len(s.head)
	s.head = append(s.head, line...)
	return s.head[start : len(s.head)-2], nil
}

// readLine reads one CRLF-terminated line of at most limit bytes. The
// slice is valid until the next read. A bare LF is refused: servers differ
// on whether it ends a line.
func (s *Stream) readLine(limit int, what string) ([]byte, error) {
	line, err := s.br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, refuse(ErrTooLarge, what+" line", line)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", what, unexpected(err))
	case len(line) > limit:
		return nil, refuse(ErrTooLarge, what+" line", line)
	case len(line) < 2 || line[len(line)-2] != '\r':
		return nil, refuse(ErrMalformed, what+" line ending in a bare LF", line)
	}
	return line, nil
}
