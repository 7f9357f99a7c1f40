package clienthello

import (
	"fmt"

	"golang.org/x/crypto/cryptobyte"
)

// Parse parses one ClientHello handshake message (the 4-byte handshake header
// and its body, nothing more: trailing bytes are ErrMalformed) and returns
// what the gate needs from it. Errors wrap ErrMalformed, or ErrTooLarge for a
// message that declares more than MaxHello bytes.
func Parse(msg []byte) (Hello, error) {
	s := cryptobyte.String(msg)
	var typ uint8
	var n uint32
	if peek := s; !peek.ReadUint8(&typ) || !peek.ReadUint24(&n) {
		return Hello{}, fmt.Errorf("handshake header of %d bytes: %w", len(msg), ErrMalformed)
	}
	if typ != typeClientHello {
		return Hello{}, fmt.Errorf("handshake type %d, want client_hello (1): %w", typ, ErrMalformed)
	}
	if n > MaxHello {
		return Hello{}, fmt.Errorf("client hello of %d bytes, limit %d: %w", n, MaxHello, ErrTooLarge)
	}
	var body cryptobyte.String
	if !s.Skip(1) || !s.ReadUint24LengthPrefixed(&body) {
		return Hello{}, fmt.Errorf("client hello declares %d bytes, has %d: %w", n, len(msg)-helloHeaderLen, ErrMalformed)
	}
	if !s.Empty() {
		// A second message coalesced into the same record: the gate would
		// have to inspect it too, and no client needs to do this.
		return Hello{}, fmt.Errorf("%d bytes after the client hello: %w", len(s), ErrMalformed)
	}
	return parseBody(body)
}

// parseBody parses a ClientHello body (RFC 8446 4.1.2; RFC 5246 7.4.1.2 for
// the fields before the extensions).
func parseBody(body cryptobyte.String) (Hello, error) {
	if err := skipFixed(&body); err != nil {
		return Hello{}, err
	}
	if body.Empty() {
		// Extensions are optional before TLS 1.2: such a client sends no SNI.
		return Hello{}, nil
	}
	var exts cryptobyte.String
	if !body.ReadUint16LengthPrefixed(&exts) {
		return Hello{}, fmt.Errorf("extensions length: %w", ErrMalformed)
	}
	if !body.Empty() {
		return Hello{}, fmt.Errorf("%d bytes after the extensions: %w", len(body), ErrMalformed)
	}
	return parseExtensions(exts)
}

// skipFixed checks and skips the fields before the extensions. None of them
// matters to the gate, but their lengths must hold for the rest to be found,
// and Follow relies on legacy_version being one a TLS client sends to tell a
// ClientHello from ciphertext.
func skipFixed(body *cryptobyte.String) error {
	var version uint16
	var sessionID, suites, compression cryptobyte.String
	switch {
	case !body.ReadUint16(&version) || !legacyVersionOK(version):
		return fmt.Errorf("legacy_version %#04x, want 0x0300-0x0304: %w", version, ErrMalformed)
	case !body.Skip(32): // random
		return fmt.Errorf("random: %w", ErrMalformed)
	case !body.ReadUint8LengthPrefixed(&sessionID) || len(sessionID) > 32:
		return fmt.Errorf("legacy_session_id: %w", ErrMalformed)
	case !body.ReadUint16LengthPrefixed(&suites) || len(suites) == 0 || len(suites)%2 != 0:
		return fmt.Errorf("cipher_suites: %w", ErrMalformed)
	case !body.ReadUint8LengthPrefixed(&compression) || len(compression) == 0:
		return fmt.Errorf("legacy_compression_methods: %w", ErrMalformed)
	}
	return nil
}

// legacyVersionOK reports whether v is a version from SSL 3.0 to TLS 1.3, the
// only ones a ClientHello's legacy_version or a record header carries.
func legacyVersionOK(v uint16) bool {
	return 0x0300 <= v && v <= 0x0304
}
