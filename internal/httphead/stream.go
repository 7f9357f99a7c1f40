package httphead

import (
	"bufio"
	"errors"
	"io"
)

// MaxHead bounds one request's line plus headers.
const MaxHead = 16 << 10

// Request is what the gate needs of one request head.
type Request struct {
	// Host is from the Host field, lowercased, port and trailing dot
	// removed; validated as a host name or a dotted-quad IPv4 address.
	Host string
	// Method is the request method: uppercase letters. CONNECT is returned
	// like any other; the caller refuses it.
	Method string
	// Upgrade is set when the request asks to switch protocols: an Upgrade
	// field and "upgrade" among the Connection tokens. The caller must read
	// the server's answer (ReadStatus) before calling Next again.
	Upgrade bool
	// Protocols is the Upgrade field's value ("" without one), e.g.
	// "websocket"; it may be a list. After a 101 the connection is relayed
	// unchecked, and an "h2c" upgrade would let the client name any host
	// in later HTTP/2 streams: the caller allows only protocols that
	// cannot, such as exactly "websocket".
	Protocols string
	// Body is set when the request has a body: a Content-Length above 0,
	// or chunked. Forward streams it by that framing. A server that
	// ignores a body where it expects none (GET, HEAD) reads it as further
	// requests the gate never saw, so a caller may refuse such bodies.
	Body bool
}

// Stream reads requests from the client and copies them, once checked, to
// the server. It is not safe for concurrent use. After an error other than
// io.EOF the stream is broken for good (the same error is returned again):
// the caller closes both connections, since the server may hold part of a
// request.
type Stream struct {
	br       *bufio.Reader
	w        io.Writer
	head     []byte  // the current head, exactly as read
	body     framing // the current request's body
	pending  bool    // Next returned a head that Forward has not written
	err      error   // sticky
	lastHost string  // reused when the next request names the same host
}

// Misuse errors: the caller broke the Next, Forward order.
var (
	errNotForwarded = errors.New("next called before the previous request was forwarded")
	errNoRequest    = errors.New("forward called without a request from next")
)

// NewStream reads from r (the client) and writes to w (the server). It
// buffers at most MaxHead bytes ahead of what it has forwarded.
func NewStream(r io.Reader, w io.Writer) *Stream {
	return &Stream{br: bufio.NewReaderSize(r, MaxHead), w: w}
}

// Next reads the next request head, parses it and returns it without
// writing anything yet; io.EOF when the client closed cleanly between
// requests, an error wrapping io.ErrUnexpectedEOF when it closed inside a
// head. It blocks on the client: the caller sets read deadlines.
func (s *Stream) Next() (Request, error) {
	if s.err != nil {
		return Request{}, s.err
	}
	if s.pending {
		return Request{}, errNotForwarded
	}
	req, err := s.readHead()
	if err != nil {
		s.err = err
		return Request{}, err
	}
	s.pending = true
	return req, nil
}

// Forward writes the head Next returned, then that request's body by its
// framing, streamed through the read buffer (never a whole body in memory).
// After Forward, Next reads the following (pipelined) request.
func (s *Stream) Forward() error {
	if s.err != nil {
		return s.err
	}
	if !s.pending {
		return errNoRequest
	}
	s.pending = false
	if err := s.forward(); err != nil {
		s.err = err
		return err
	}
	return nil
}

// forward writes the head, then the body by its framing.
func (s *Stream) forward() error {
	if err := s.write(s.head); err != nil {
		return err
	}
	if s.body.chunked {
		return s.forwardChunked()
	}
	return s.copyN(s.body.length)
}

// Buffered returns a copy of the bytes read from the client but not yet
// forwarded: a head Next returned and Forward did not write, then whatever
// the read buffer holds. After an upgrade the caller writes them to the
// server and relays the rest of the client's connection unparsed.
func (s *Stream) Buffered() []byte {
	rest, _ := s.br.Peek(s.br.Buffered())
	var out []byte
	if s.pending {
		out = append(out, s.head...)
	}
	return append(out, rest...)
}
