package clienthello

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// records reads TLS records one at a time and each exactly: the 5-byte
// header, then the payload length it declares with io.ReadFull, so nothing
// beyond the record is consumed (what follows belongs to the relay).
type records struct {
	r     io.Reader
	read  int  // bytes read so far, framing included; bounded by maxRead
	first bool // the next record opens the stream: anything but a handshake record is ErrNotTLS
}

// next reads one record and appends it whole to raw. It returns the record's
// content type, its payload (a slice of the returned raw) and raw. An EOF
// before the record's first byte is io.EOF when eofOK, else (a message is
// under way) io.ErrUnexpectedEOF, as is an EOF within the record.
func (rs *records) next(raw []byte, eofOK bool) (typ byte, payload, out []byte, err error) {
	start := len(raw)
	raw = slices.Grow(raw, headerLen)[:start+headerLen]
	hdr := raw[start:]
	// The first byte alone: a client speaking another protocol is told apart
	// at once, without waiting for four more bytes it may never send.
	if _, err := io.ReadFull(rs.r, hdr[:1]); err != nil {
		if !eofOK {
			err = noEOF(err)
		}
		return 0, nil, nil, fmt.Errorf("reading record header: %w", err)
	}
	if rs.first && hdr[0] != typeHandshake {
		return 0, nil, nil, fmt.Errorf("first record type %#02x, want handshake (22): %w", hdr[0], ErrNotTLS)
	}
	if _, err := io.ReadFull(rs.r, hdr[1:]); err != nil {
		return 0, nil, nil, fmt.Errorf("reading record header: %w", noEOF(err))
	}
	rs.read += headerLen
	n, err := rs.check(hdr)
	if err != nil {
		return 0, nil, nil, err
	}
	typ = hdr[0]
	raw = slices.Grow(raw, n)[:start+headerLen+n]
	if _, err := io.ReadFull(rs.r, raw[start+headerLen:]); err != nil {
		return 0, nil, nil, fmt.Errorf("reading %d-byte record payload: %w", n, noEOF(err))
	}
	rs.read += n
	return typ, raw[start+headerLen:], raw, nil
}

// check validates a record header and returns the payload length it
// declares, before a byte of that payload is read.
func (rs *records) check(hdr []byte) (int, error) {
	vers := binary.BigEndian.Uint16(hdr[1:3])
	n := int(binary.BigEndian.Uint16(hdr[3:5]))
	if !legacyVersionOK(vers) {
		bad := ErrMalformed
		if rs.first {
			bad = ErrNotTLS
		}
		return 0, fmt.Errorf("record version %#04x, want 0x0300-0x0304: %w", vers, bad)
	}
	rs.first = false
	switch {
	case n > maxRecord:
		return 0, fmt.Errorf("record of %d bytes, limit %d: %w", n, maxRecord, ErrTooLarge)
	case n == 0 && hdr[0] == typeHandshake:
		// RFC 8446 5.1 forbids empty handshake fragments; allowing them would
		// let a client slip uninspected records between the real ones.
		return 0, fmt.Errorf("empty handshake record: %w", ErrMalformed)
	case rs.read+n > maxRead:
		return 0, fmt.Errorf("more than %d bytes of handshake: %w", maxRead, ErrTooLarge)
	}
	return n, nil
}

// collect reads the records that complete the handshake message beginning in
// payload (the last record read, already at the end of raw). It returns raw
// grown by those records, and the message: its header, its body, and any
// bytes the last record carried beyond it (Parse rejects those).
func (rs *records) collect(raw, payload []byte) (outRaw, msg []byte, err error) {
	msg = payload
	own := false // msg still aliases raw and must be copied before it grows
	for {
		if len(msg) >= helloHeaderLen {
			n := int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3])
			if n > MaxHello {
				return nil, nil, fmt.Errorf("handshake message of %d bytes, limit %d: %w", n, MaxHello, ErrTooLarge)
			}
			if len(msg) >= helloHeaderLen+n {
				return raw, msg, nil
			}
		}
		typ, p, grown, err := rs.next(raw, false)
		if err != nil {
			return nil, nil, fmt.Errorf("continuing a handshake message: %w", err)
		}
		if typ != typeHandshake {
			return nil, nil, fmt.Errorf("record type %d inside a handshake message: %w", typ, ErrMalformed)
		}
		if !own {
			msg, own = slices.Clip(msg), true
		}
		raw, msg = grown, append(msg, p...)
	}
}

// noEOF turns io.EOF into io.ErrUnexpectedEOF: in the middle of a record or
// a message, the end of the stream is a truncation.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
