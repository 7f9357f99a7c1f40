package clienthello

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/crypto/cryptobyte"
)

// Extension types the gate reads (IANA TLS ExtensionType Values).
const (
	extServerName        = 0
	extSupportedVersions = 43
	extECH               = 0xfe0d
	nameTypeHostName     = 0
	versionTLS13         = 0x0304
)

// seenSet records extension types already met, one bit per type: a client
// controls up to ~4,000 extensions, so neither a list (quadratic) nor a map
// (allocations) is used.
type seenSet [1 << 16 / 64]uint64

// add records typ and reports whether it was new.
func (s *seenSet) add(typ uint16) bool {
	word, bit := typ/64, uint64(1)<<(typ%64)
	isNew := s[word]&bit == 0
	s[word] |= bit
	return isNew
}

// parseExtensions reads the extensions block. A duplicated type is rejected
// (RFC 8446 4.2): two server_names could be read differently by the gate and
// the server.
func parseExtensions(exts cryptobyte.String) (Hello, error) {
	var h Hello
	var seen seenSet
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			return Hello{}, fmt.Errorf("extension framing: %w", ErrMalformed)
		}
		if !seen.add(typ) {
			return Hello{}, fmt.Errorf("extension %#04x twice: %w", typ, ErrMalformed)
		}
		if err := h.extension(typ, data); err != nil {
			return Hello{}, err
		}
	}
	return h, nil
}

// extension fills h from one extension; those the gate does not read are
// skipped unchecked (the server judges them).
func (h *Hello) extension(typ uint16, data cryptobyte.String) error {
	var err error
	switch typ {
	case extServerName:
		h.ServerName, err = serverName(data)
	case extSupportedVersions:
		h.TLS13, err = offersTLS13(data)
	case extECH:
		h.ECH = true
	}
	return err
}

// serverName reads a server_name extension (RFC 6066 3): exactly one entry,
// of type host_name. RFC 6066 forbids two names of the same type, and a list
// the gate and the server could pick from differently is refused.
func serverName(data cryptobyte.String) (string, error) {
	var list, name cryptobyte.String
	var nameType uint8
	if !data.ReadUint16LengthPrefixed(&list) || !data.Empty() ||
		!list.ReadUint8(&nameType) || !list.ReadUint16LengthPrefixed(&name) {
		return "", fmt.Errorf("server_name framing: %w", ErrMalformed)
	}
	if nameType != nameTypeHostName {
		return "", fmt.Errorf("server_name type %d, want host_name (0): %w", nameType, ErrMalformed)
	}
	if !list.Empty() {
		return "", fmt.Errorf("server_name with more than one entry: %w", ErrMalformed)
	}
	return hostName(name)
}

// offersTLS13 reads a client's supported_versions extension (RFC 8446
// 4.2.1): a list of 1 to 127 versions.
func offersTLS13(data cryptobyte.String) (bool, error) {
	var list cryptobyte.String
	if !data.ReadUint8LengthPrefixed(&list) || !data.Empty() || len(list) == 0 || len(list)%2 != 0 {
		return false, fmt.Errorf("supported_versions framing: %w", ErrMalformed)
	}
	tls13 := false
	for !list.Empty() {
		var v uint16
		list.ReadUint16(&v) // cannot fail: the length is even
		tls13 = tls13 || v == versionTLS13
	}
	return tls13, nil
}

// hostName validates a host_name and returns it lowercased without its one
// trailing dot. Only letters, digits, '-', '_' and '.' pass, in labels of 1 to
// 63 bytes, at most 253 bytes in all: anything else (spaces, controls, UTF-8,
// empty labels) could be read differently by the policy, a log, or the server.
func hostName(b []byte) (string, error) {
	b, _ = bytes.CutSuffix(b, []byte{'.'})
	if len(b) == 0 || len(b) > 253 {
		return "", fmt.Errorf("server_name of %d bytes, want 1-253: %w", len(b), ErrMalformed)
	}
	label := 0
	for _, c := range b {
		switch {
		case c == '.' && label == 0:
			return "", fmt.Errorf("server_name %q has an empty label: %w", b, ErrMalformed)
		case c == '.':
			label = 0
		case !hostByte(c):
			return "", fmt.Errorf("server_name %q has byte %#02x: %w", b, c, ErrMalformed)
		case label == 63:
			return "", fmt.Errorf("server_name %q has a label over 63 bytes: %w", b, ErrMalformed)
		default:
			label++
		}
	}
	if label == 0 {
		return "", fmt.Errorf("server_name %q ends with an empty label: %w", b, ErrMalformed)
	}
	return strings.ToLower(string(b)), nil
}

// hostByte reports whether c may appear in a host name label.
func hostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}
