package httphead

import "bytes"

// Bounds of a request head besides MaxHead.
const (
	maxMethod = 20
	maxFields = 100
	// maxLengthDigits keeps every Content-Length inside an int64.
	maxLengthDigits = 18
)

// framing is how a request's body is delimited: chunked, or length bytes
// (0: no body; a request without either field has none, RFC 9112 6.3).
type framing struct {
	chunked bool
	length  int64
}

// requestLine is a parsed request line; its slices alias the head.
type requestLine struct {
	method string
	target []byte
	http10 bool
}

// parseRequestLine parses METHOD SP request-target SP HTTP-version, the
// CRLF removed, with exactly single spaces.
func parseRequestLine(line []byte) (requestLine, error) {
	method, rest, ok := bytes.Cut(line, []byte{' '})
	if !ok || !validMethod(method) {
		return requestLine{}, refuse(ErrNotHTTP, "request line", line)
	}
	target, version, ok := bytes.Cut(rest, []byte{' '})
	if !ok || bytes.IndexByte(version, ' ') >= 0 {
		return requestLine{}, refuse(ErrMalformed, "request line", line)
	}
	rl := requestLine{method: internMethod(method), target: target}
	switch string(version) {
	case "HTTP/1.1":
	case "HTTP/1.0":
		rl.http10 = true
	default:
		// HTTP/2's prior-knowledge preface "PRI * HTTP/2.0" ends here.
		return requestLine{}, refuse(ErrNotHTTP, "request line version", version)
	}
	return rl, nil
}

// validMethod accepts 1..20 uppercase letters: every registered method, and
// nothing a TLS record or an SSH banner starts with.
func validMethod(m []byte) bool {
	if len(m) == 0 || len(m) > maxMethod {
		return false
	}
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// internMethod returns the common methods without allocating.
func internMethod(m []byte) string {
	switch string(m) {
	case "GET":
		return "GET"
	case "HEAD":
		return "HEAD"
	case "POST":
		return "POST"
	case "PUT":
		return "PUT"
	case "DELETE":
		return "DELETE"
	case "OPTIONS":
		return "OPTIONS"
	case "PATCH":
		return "PATCH"
	case "CONNECT":
		return "CONNECT"
	}
	return string(m)
}
