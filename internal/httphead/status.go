package httphead

import (
	"bytes"
	"fmt"
	"io"
)

// ReadStatus reads one response head (bounded by MaxHead and 100 fields)
// from r, the server, and returns its status code and the exact bytes read,
// for the caller to write to the client. It reads nothing beyond the head's
// final CRLF CRLF, so no body or upgraded-protocol byte is lost: when r is
// an io.ByteReader (a *bufio.Reader the caller keeps reading from) it reads
// through it, otherwise it reads r one byte at a time (a syscall per byte
// on a socket: fine for the one head after an upgrade request). An interim
// 1xx other than 101 is returned like any status; the caller reads again.
// A server closing before any byte gives io.EOF.
func ReadStatus(r io.Reader) (code int, head []byte, err error) {
	br, ok := r.(io.ByteReader)
	if !ok {
		br = &byteReader{r: r}
	}
	for count := 0; ; count++ {
		start := len(head)
		if head, err = readByteLine(br, head); err != nil {
			return 0, head, err
		}
		line := head[start : len(head)-2]
		switch {
		case count == 0:
			code, err = parseStatusLine(line)
		case len(line) == 0:
			return code, head, nil
		case count > maxFields:
			err = refuse(ErrTooLarge, "more than 100 response fields, at", line)
		default:
			_, _, err = splitField(line)
		}
		if err != nil {
			return 0, head, err
		}
	}
}

// readByteLine appends one CRLF-terminated line to head, byte by byte,
// keeping head within MaxHead.
func readByteLine(br io.ByteReader, head []byte) ([]byte, error) {
	for {
		c, err := br.ReadByte()
		if err == io.EOF && len(head) == 0 {
			return head, io.EOF
		}
		if err != nil {
			return head, fmt.Errorf("response head: %w", unexpected(err))
		}
		if len(head) >= MaxHead {
			return head, refuse(ErrTooLarge, "response head", head)
		}
		head = append(head, c)
		if c != '\n' {
			continue
		}
		if n := len(head); n < 2 || head[n-2] != '\r' {
			return head, refuse(ErrMalformed, "response line ending in a bare LF", head)
		}
		return head, nil
	}
}

// parseStatusLine parses HTTP/1.x SP 3DIGIT [SP reason], the CRLF removed.
// A missing reason is tolerated: servers send "HTTP/1.1 101\r\n".
func parseStatusLine(line []byte) (int, error) {
	if !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, refuse(ErrNotHTTP, "status line", line)
	}
	if len(line) < 12 || (line[7] != '0' && line[7] != '1') || line[8] != ' ' {
		return 0, refuse(ErrMalformed, "status line", line)
	}
	code := 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return 0, refuse(ErrMalformed, "status code", line)
		}
		code = code*10 + int(c-'0')
	}
	reason := line[12:]
	if code < 100 || (len(reason) > 0 && reason[0] != ' ') {
		return 0, refuse(ErrMalformed, "status line", line)
	}
	for _, c := range reason {
		if !isValueByte(c) {
			return 0, refuse(ErrMalformed, "status reason", line)
		}
	}
	return code, nil
}

// byteReader reads an io.Reader one byte per call, so that nothing past
// the byte asked for is taken from it.
type byteReader struct {
	r   io.Reader
	buf [1]byte
}

// ReadByte reads exactly one byte.
func (b *byteReader) ReadByte() (byte, error) {
	if _, err := io.ReadFull(b.r, b.buf[:]); err != nil {
		return 0, err
	}
	return b.buf[0], nil
}
