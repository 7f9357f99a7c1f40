package clienthello

import (
	"fmt"
	"io"
)

// ReadFirst reads from r exactly the TLS records that carry the client's first
// ClientHello (it may span several records, and a record may arrive in many
// small reads) and returns it parsed, with every byte it read, to be written
// to the server unchanged. It never reads past the last record of that
// ClientHello.
//
// A record that carries bytes beyond the end of the ClientHello is
// ErrMalformed: those bytes would start a message nobody inspected, and no
// client needs to coalesce anything with its first ClientHello.
//
// At most 4*MaxHello bytes are read, framing included: a hello cut into
// records of a few bytes each is ErrTooLarge.
//
// Errors: ErrNotTLS, ErrTooLarge, ErrMalformed, or the read error (io.EOF
// before any byte, io.ErrUnexpectedEOF after some, a deadline) wrapped. On
// error the bytes are nil: nothing of a refused stream goes to the server.
func ReadFirst(r io.Reader) (Hello, []byte, error) {
	h, raw, err := readFirst(r)
	if err != nil {
		return Hello{}, nil, fmt.Errorf("clienthello: reading the first client hello: %w", err)
	}
	return h, raw, nil
}

// readFirst is ReadFirst without the error context.
func readFirst(r io.Reader) (Hello, []byte, error) {
	rs := records{r: r, first: true}
	_, payload, raw, err := rs.next(nil, true)
	if err != nil {
		return Hello{}, nil, err
	}
	// Checked before collecting: only a ClientHello is worth reading on for.
	if payload[0] != typeClientHello {
		return Hello{}, nil, fmt.Errorf("handshake type %d, want client_hello (1): %w", payload[0], ErrMalformed)
	}
	raw, msg, err := rs.collect(raw, payload)
	if err != nil {
		return Hello{}, nil, err
	}
	h, err := Parse(msg)
	if err != nil {
		return Hello{}, nil, err
	}
	return h, raw, nil
}
