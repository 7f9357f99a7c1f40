package httphead

import "bytes"

// Bounds of a host name (RFC 1035, counted without the trailing dot).
const (
	maxName  = 253
	maxLabel = 63
)

// hostPort is a validated host: its name lowercased, without the trailing
// dot, and its port digits ("" when absent).
type hostPort struct {
	buf  [maxName]byte
	n    int
	port []byte
}

// name returns the lowercased host name.
func (h *hostPort) name() []byte { return h.buf[:h.n] }

// sameAs reports whether two hosts name the same origin: the same name and,
// when both carry a port, the same port.
func (h *hostPort) sameAs(o *hostPort) bool {
	if !bytes.Equal(h.name(), o.name()) {
		return false
	}
	return len(h.port) == 0 || len(o.port) == 0 || bytes.Equal(h.port, o.port)
}

// parseHost validates a Host value or an authority: a host name (letters,
// digits, '-', '_', '.'; labels of 1..63; at most 253) or a dotted-quad IPv4
// address, with an optional port of 1..65535. One trailing dot is removed.
// IPv6 literals are refused: the sentry drops IPv6 anyway.
func parseHost(b []byte, h *hostPort) error {
	h.n, h.port = 0, nil
	if len(b) == 0 {
		return refuse(ErrMalformed, "host", b)
	}
	name := b
	if i := bytes.LastIndexByte(b, ':'); i >= 0 {
		name, h.port = b[:i], b[i+1:]
		if !validPort(h.port) {
			return refuse(ErrMalformed, "host port", b)
		}
	}
	name = bytes.TrimSuffix(name, []byte{'.'})
	if len(name) == 0 || len(name) > maxName {
		return refuse(ErrMalformed, "host name length", b)
	}
	if !validLabels(name) {
		return refuse(ErrMalformed, "host name", b)
	}
	h.n = copy(h.buf[:], name)
	for i, c := range h.buf[:h.n] {
		if 'A' <= c && c <= 'Z' {
			h.buf[i] = c + 'a' - 'A'
		}
	}
	if numericLabel(lastLabel(h.name())) && !canonicalIPv4(h.name()) {
		return refuse(ErrMalformed, "host name with a numeric last label", b)
	}
	return nil
}

// validPort accepts 1..65535 in plain decimal without leading zeros, so
// that two equal ports are equal strings.
func validPort(p []byte) bool {
	if len(p) == 0 || len(p) > 5 || p[0] == '0' {
		return false
	}
	n := 0
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n <= 65535
}

// validLabels checks the dot-separated labels of a name. A ':' left in the
// name (a bare IPv6 literal) or a '[' fails here.
func validLabels(name []byte) bool {
	for more := true; more; {
		var label []byte
		label, name, more = bytes.Cut(name, []byte{'.'})
		if len(label) == 0 || len(label) > maxLabel {
			return false
		}
		for _, c := range label {
			if !isHostByte(c) {
				return false
			}
		}
	}
	return true
}

func isHostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

func lastLabel(name []byte) []byte {
	return name[bytes.LastIndexByte(name, '.')+1:]
}

// numericLabel reports whether a URL parser would read the label as a
// number (decimal, or hex after "0x"), and so the host as an IPv4 address
// (WHATWG URL "ends in a number").
func numericLabel(l []byte) bool {
	if len(l) >= 2 && l[0] == '0' && (l[1] == 'x' || l[1] == 'X') {
		l = l[2:]
		for _, c := range l {
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
		return true
	}
	for _, c := range l {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(l) > 0
}

// canonicalIPv4 accepts exactly four decimal parts of 0..255 without
// leading zeros: the one spelling of an address all parsers agree on.
func canonicalIPv4(name []byte) bool {
	parts := 0
	for more := true; more; parts++ {
		var part []byte
		part, name, more = bytes.Cut(name, []byte{'.'})
		if len(part) == 0 || len(part) > 3 || (len(part) > 1 && part[0] == '0') {
			return false
		}
		n := 0
		for _, c := range part {
			if c < '0' || c > '9' {
				return false
			}
			n = n*10 + int(c-'0')
		}
		if n > 255 {
			return false
		}
	}
	return parts == 4
}
