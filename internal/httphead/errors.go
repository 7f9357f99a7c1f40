package httphead

import (
	"errors"
	"fmt"
	"strconv"
)

// Errors the gate tells apart. Every error returned by this package that is
// a refusal wraps exactly one of them (errors.Is), with what was refused.
var (
	// ErrNotHTTP means the bytes do not start like an HTTP/1.x request
	// line: TLS, SSH, HTTP/2 prior knowledge, a lowercase method.
	ErrNotHTTP = errors.New("not an http/1.x request")
	// ErrTooLarge means a bound was passed: a head or a line beyond
	// MaxHead, a chunk-size line beyond 1 KiB, more than 100 fields.
	ErrTooLarge = errors.New("too large")
	// ErrSmuggling means a framing or target that two parsers could read
	// differently, so that the server might see a request the gate did not.
	ErrSmuggling = errors.New("ambiguous framing or target")
	// ErrMalformed means anything else that does not parse strictly.
	ErrMalformed = errors.New("malformed")
)

// maxQuote bounds how much of the client's bytes an error message carries:
// errors end up in logs, and the client chooses the bytes.
const maxQuote = 64

// quote renders hostile bytes for an error message: quoted, truncated.
func quote(b []byte) string {
	if len(b) > maxQuote {
		return strconv.Quote(string(b[:maxQuote])) + "..."
	}
	return strconv.Quote(string(b))
}

// refuse wraps kind with the part of the request refused and its bytes.
func refuse(kind error, what string, b []byte) error {
	return fmt.Errorf("%s %s: %w", what, quote(b), kind)
}
