// Package clienthello reads the plaintext start of a TLS connection from an
// untrusted client: the ClientHello records, parsed for the name gate's
// decision (SNI, ECH, TLS 1.3), and kept byte for byte so the gate can replay
// them to the real server. It never decrypts anything.
//
// Everything here is hostile input: every length is bounded before it is
// read, every read stops at a record boundary, and structure is parsed with
// cryptobyte rather than hand-computed offsets.
package clienthello

import "errors"

// MaxHello bounds one ClientHello handshake message (its body, without the
// 4-byte handshake header). Real ones are 0.5-3 KB; post-quantum key shares
// push Go's default to about 1.8 KB, so 16 KiB leaves room without letting a
// client make the gate buffer much.
const MaxHello = 16 << 10

// maxRecord bounds one record's payload: 2^14 plaintext plus the 256 bytes
// TLS 1.2 allows for compression/ciphertext expansion.
const maxRecord = 16384 + 256

// maxRead bounds the bytes ReadFirst or Follow read in one call, framing
// included: a hello cut into tiny records would otherwise cost five header
// bytes per payload byte.
const maxRead = 4 * MaxHello

// Record content types and handshake message types used here (RFC 8446 B.1, B.3).
const (
	typeChangeCipherSpec = 20
	typeHandshake        = 22
	typeClientHello      = 1
	headerLen            = 5 // record header: type, legacy_version, length
	helloHeaderLen       = 4 // handshake header: msg_type, uint24 length
)

// Hello is what the gate needs from one ClientHello.
type Hello struct {
	ServerName string // the host_name of the server_name extension, lowercased, no trailing dot; "" when absent
	ECH        bool   // an encrypted_client_hello extension (0xfe0d) is present (GREASE or real: they cannot be told apart)
	TLS13      bool   // supported_versions offers TLS 1.3 (0x0304)
}

// Errors the gate tells apart. They are always wrapped with context; test
// with errors.Is.
var (
	// ErrNotTLS: the first bytes are not a TLS handshake record (e.g. SSH or
	// HTTP on 443).
	ErrNotTLS = errors.New("not a tls handshake record")
	// ErrTooLarge: a ClientHello beyond MaxHello, a record beyond 16384+256
	// bytes of payload, or more than 4*MaxHello bytes read in one call.
	ErrTooLarge = errors.New("client hello too large")
	// ErrMalformed: broken framing or ClientHello structure, a bad
	// server_name (not a host name, or more than one), or a duplicated
	// extension.
	ErrMalformed = errors.New("malformed client hello")
)
