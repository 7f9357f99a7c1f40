package clienthello

import (
	"fmt"
	"io"
)

// Follow inspects the client's records after the first ClientHello and writes
// each one, once inspected, to w unchanged, until inspection ends; it returns
// nil then (after writing the record that ended it) and the caller relays the
// rest unparsed. first is the first ClientHello. check is called for every
// further ClientHello (after a HelloRetryRequest); a non-nil error from check
// is returned (wrapped) before that record is written.
//
// Inspection ends at once, nothing read, if first does not offer TLS 1.3: a
// TLS 1.2 client never sends a second plaintext ClientHello. Otherwise:
//   - a change_cipher_spec record is written and inspection goes on;
//   - a handshake record that begins a client_hello is collected (it may span
//     records), parsed, given to check, written, and inspection goes on;
//   - any other record (application data, alert, another handshake message)
//     is written and ends inspection.
//
// After a change_cipher_spec, a handshake record may be a TLS 1.2 encrypted
// Finished whose first byte happens to be 1. One whose seeming length is
// beyond MaxHello, or that continues past the record without a legacy_version
// Parse accepts, is taken as such: it is written and ends inspection. Any
// other is a ClientHello, judged as before the change_cipher_spec (see
// encryptedFinished for why this is safer than trying to parse it).
//
// At most 4*MaxHello bytes are read; beyond that, ErrTooLarge. Other errors:
// ErrMalformed, ErrTooLarge, the read or write error, wrapped.
func Follow(r io.Reader, w io.Writer, first Hello, check func(Hello) error) error {
	if !first.TLS13 {
		return nil
	}
	f := follower{rs: records{r: r}, w: w, check: check}
	for {
		done, err := f.step()
		if err != nil {
			return fmt.Errorf("clienthello: following the handshake: %w", err)
		}
		if done {
			return nil
		}
	}
}

// follower is the state of one Follow call.
type follower struct {
	rs     records
	w      io.Writer
	check  func(Hello) error
	sawCCS bool   // a change_cipher_spec was read: encrypted handshake records may follow
	buf    []byte // reused for each record
}

// step reads and handles one record (or the records of one ClientHello) and
// reports whether inspection has ended.
func (f *follower) step() (done bool, err error) {
	typ, payload, raw, err := f.rs.next(f.buf[:0], true)
	if err != nil {
		return false, err
	}
	f.buf = raw
	switch {
	case typ == typeChangeCipherSpec:
		f.sawCCS = true
		return false, f.write(raw)
	case typ != typeHandshake || payload[0] != typeClientHello:
		// Application data, an alert, a TLS 1.2 ClientKeyExchange or
		// Certificate: no plaintext ClientHello can follow.
		return true, f.write(raw)
	case f.sawCCS && encryptedFinished(payload):
		return true, f.write(raw)
	}
	return false, f.hello(raw, payload)
}

// hello collects, parses and checks a further ClientHello beginning in
// payload, then writes all its records.
func (f *follower) hello(raw, payload []byte) error {
	raw, msg, err := f.rs.collect(raw, payload)
	if err != nil {
		return err
	}
	f.buf = raw
	h, err := Parse(msg)
	if err != nil {
		return err
	}
	if err := f.check(h); err != nil {
		return fmt.Errorf("further client hello for %q refused: %w", h.ServerName, err)
	}
	return f.write(raw)
}

// write passes inspected records on to the server.
func (f *follower) write(raw []byte) error {
	if _, err := f.w.Write(raw); err != nil {
		return fmt.Errorf("writing %d bytes to the server: %w", len(raw), err)
	}
	return nil
}

// encryptedFinished tells whether a handshake record that begins with byte 1
// and follows a change_cipher_spec is a TLS 1.2 encrypted Finished rather than
// a ClientHello. It decides from this record alone: after its Finished a TLS
// 1.2 client waits for the server's, so reading on would stall the handshake
// until the deadline. Ciphertext is random and at least 32 bytes long: the
// length it seems to declare exceeds MaxHello 1023 times in 1024, falls within
// the record about once in 2^19, and otherwise its seeming legacy_version is
// one Parse accepts 5 times in 65536. Anything else is judged as a ClientHello,
// strictly: a malformed one is refused, not relayed.
func encryptedFinished(payload []byte) bool {
	if len(payload) < helloHeaderLen+2 {
		return false // too short for ciphertext: a ClientHello cut into small records
	}
	n := int(payload[1])<<16 | int(payload[2])<<8 | int(payload[3])
	switch {
	case n > MaxHello:
		return true
	case helloHeaderLen+n <= len(payload):
		return false
	default: // continued in later records
		return !legacyVersionOK(uint16(payload[4])<<8 | uint16(payload[5]))
	}
}
