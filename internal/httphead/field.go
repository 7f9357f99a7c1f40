package httphead

import (
	"bytes"
	"strings"
)

// isToken reports whether c may appear in a token (RFC 9110 tchar).
func isToken(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// isValueByte reports whether c may appear in a field value: no control
// bytes but HTAB (a CR or NUL in a value is read differently by servers).
func isValueByte(c byte) bool {
	return c == '\t' || (c >= ' ' && c != 0x7f)
}

// trimOWS removes optional whitespace (SP, HTAB) at both ends.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// splitField splits one field line (without its CRLF) into name and value.
// Whitespace at the start of the line (obsolete folding) or in the name
// ("Transfer-Encoding : chunked") is smuggling: some servers join or trim
// it, others reject it, so they disagree on which fields exist.
func splitField(line []byte) (name, value []byte, err error) {
	if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
		return nil, nil, refuse(ErrSmuggling, "folded field line", line)
	}
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return nil, nil, refuse(ErrMalformed, "field line without a name and colon", line)
	}
	name = line[:i]
	if bytes.ContainsAny(name, " \t") {
		return nil, nil, refuse(ErrSmuggling, "whitespace in field name", name)
	}
	for _, c := range name {
		if !isToken(c) {
			return nil, nil, refuse(ErrMalformed, "field name", name)
		}
	}
	value = trimOWS(line[i+1:])
	for _, c := range value {
		if !isValueByte(c) {
			return nil, nil, refuse(ErrMalformed, "control byte in field", name)
		}
	}
	return name, value, nil
}

// fieldKind names the fields the gate looks at.
type fieldKind int

const (
	otherField fieldKind = iota
	hostField
	lengthField
	encodingField
	connectionField
	upgradeField
)

var kindNames = []struct {
	name string
	kind fieldKind
}{
	{"host", hostField},
	{"content-length", lengthField},
	{"transfer-encoding", encodingField},
	{"connection", connectionField},
	{"upgrade", upgradeField},
}

// kindOf classifies a field name, case-insensitively. A name that only
// becomes a framing field when '_' is read as '-' ("Content_Length") is
// smuggling: CGI-style servers make that very mapping.
func kindOf(name []byte) (fieldKind, error) {
	for _, k := range kindNames {
		if len(name) != len(k.name) {
			continue
		}
		exact, loose := foldCompare(name, k.name)
		switch {
		case exact:
			return k.kind, nil
		case loose && (k.kind == lengthField || k.kind == encodingField):
			return otherField, refuse(ErrSmuggling, "field name", name)
		}
	}
	return otherField, nil
}

// foldCompare compares name with the lowercase want: exact ignores ASCII
// case, loose also reads '_' as '-'.
func foldCompare(name []byte, want string) (exact, loose bool) {
	exact, loose = true, true
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != want[i] {
			exact = false
			if c != '_' || want[i] != '-' {
				return false, false
			}
		}
	}
	return exact, loose
}

// hasToken reports whether the comma-separated list v holds tok (ASCII
// case-insensitive), as in "Connection: keep-alive, Upgrade".
func hasToken(v []byte, tok string) bool {
	for len(v) > 0 {
		var item []byte
		item, v, _ = bytes.Cut(v, []byte{','})
		if bytes.EqualFold(trimOWS(item), []byte(tok)) {
			return true
		}
	}
	return false
}
