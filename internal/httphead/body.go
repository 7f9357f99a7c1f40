package httphead

import (
	"bytes"
	"fmt"
	"io"
	"math"
)

// Bounds of a chunk-size line: its length, extensions included, and its
// hex digits (16 fill 64 bits).
const (
	maxChunkLine   = 1 << 10
	maxChunkDigits = 16
)

// forwardChunked forwards a chunked body: each chunk-size line, checked,
// then the chunk's data and its CRLF, up to the last chunk and trailers.
func (s *Stream) forwardChunked() error {
	for {
		line, err := s.readLine(maxChunkLine, "chunk size")
		if err != nil {
			return err
		}
		n, err := parseChunkSize(line[:len(line)-2])
		if err != nil {
			return err
		}
		if err := s.write(line); err != nil {
			return err
		}
		if n == 0 {
			return s.forwardTrailers()
		}
		if err := s.copyN(n); err != nil {
			return err
		}
		if err := s.chunkEnd(); err != nil {
			return err
		}
	}
}

// parseChunkSize parses 1*16HEXDIG [ ";" chunk-ext ], the CRLF removed. No
// whitespace, sign or "0x": servers that skip them and servers that stop
// at them disagree on the size. The extension is ignored but must be
// printable ASCII: a CR or LF in it is read as a line end by some.
func parseChunkSize(line []byte) (int64, error) {
	digits, ext, _ := bytes.Cut(line, []byte{';'})
	if len(digits) == 0 || len(digits) > maxChunkDigits {
		return 0, refuse(ErrMalformed, "chunk size", line)
	}
	var n uint64
	for _, c := range digits {
		v, ok := hexValue(c)
		if !ok {
			return 0, refuse(ErrMalformed, "chunk size", line)
		}
		n = n<<4 | uint64(v)
	}
	if n > math.MaxInt64 {
		return 0, refuse(ErrMalformed, "chunk size", line)
	}
	for _, c := range ext {
		if c < ' ' || c > '~' {
			return 0, refuse(ErrMalformed, "chunk extension", line)
		}
	}
	return int64(n), nil
}

func hexValue(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// chunkEnd forwards the CRLF that must follow a chunk's data.
func (s *Stream) chunkEnd() error {
	b, err := s.br.Peek(2)
	if len(b) < 2 {
		return fmt.Errorf("chunk end: %w", unexpected(err))
	}
	if b[0] != '\r' || b[1] != '\n' {
		return refuse(ErrMalformed, "chunk data not followed by CRLF", b)
	}
	if err := s.write(b); err != nil {
		return err
	}
	_, _ = s.br.Discard(2)
	return nil
}

// forwardTrailers forwards the trailer section, bounded like a head. A
// trailer that is a framing or Host field is smuggling: a server that
// merges trailers into the header fields would see it after the gate did.
func (s *Stream) forwardTrailers() error {
	size := 0
	for count := 0; ; count++ {
		line, err := s.readLine(MaxHead-size, "trailer")
		if err != nil {
			return err
		}
		size += len(line)
		if len(line) == 2 {
			return s.write(line)
		}
		if count >= maxFields {
			return refuse(ErrTooLarge, "more than 100 trailers, at", line)
		}
		if err := checkTrailer(line[:len(line)-2]); err != nil {
			return err
		}
		if err := s.write(line); err != nil {
			return err
		}
	}
}

// checkTrailer checks one trailer line, CRLF removed, like a field line.
func checkTrailer(line []byte) error {
	name, _, err := splitField(line)
	if err != nil {
		return err
	}
	switch kind, err := kindOf(name); {
	case err != nil:
		return err
	case kind == hostField || kind == lengthField || kind == encodingField:
		return refuse(ErrSmuggling, "trailer", name)
	}
	return nil
}

// copyN copies n body bytes from the read buffer to the server, one
// buffer's worth at a time.
func (s *Stream) copyN(n int64) error {
	for n > 0 {
		if s.br.Buffered() == 0 {
			if _, err := s.br.Peek(1); err != nil {
				return fmt.Errorf("request body: %w", unexpected(err))
			}
		}
		chunk, _ := s.br.Peek(int(min(n, int64(s.br.Buffered()))))
		if err := s.write(chunk); err != nil {
			return err
		}
		_, _ = s.br.Discard(len(chunk))
		n -= int64(len(chunk))
	}
	return nil
}

// write writes b to the server.
func (s *Stream) write(b []byte) error {
	if _, err := s.w.Write(b); err != nil {
		return fmt.Errorf("forward to server: %w", err)
	}
	return nil
}

// unexpected turns an end of input inside a request into
// io.ErrUnexpectedEOF; other read errors pass through.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
