package httphead

import "bytes"

// fields accumulates what the gate needs from the field lines of one head.
type fields struct {
	count       int
	host        []byte // the Host value; aliases the head (appends to it never overwrite)
	hosts       int
	length      int64
	lengths     int
	encodings   int
	upgrades    int
	protocols   []byte // the Upgrade value; aliases the head
	connUpgrade bool   // "upgrade" among the Connection tokens
}

// add takes one field line, CRLF removed. Duplicates of a framing field are
// refused at once: servers differ on which one wins, or whether to join.
func (f *fields) add(line []byte) error {
	if f.count++; f.count > maxFields {
		return refuse(ErrTooLarge, "more than 100 fields, at", line)
	}
	name, value, err := splitField(line)
	if err != nil {
		return err
	}
	kind, err := kindOf(name)
	if err != nil {
		return err
	}
	if (kind == hostField || kind == lengthField || kind == encodingField) && bytes.IndexByte(line, '\t') >= 0 {
		// Servers that trim only SP around a value read "\tchunked" as
		// another coding, or none.
		return refuse(ErrSmuggling, "tab in field", line)
	}
	return f.take(kind, value)
}

// take records one field the gate looks at.
func (f *fields) take(kind fieldKind, value []byte) (err error) {
	switch kind {
	case hostField:
		if f.hosts++; f.hosts > 1 {
			return refuse(ErrSmuggling, "second Host field", value)
		}
		f.host = value
	case lengthField:
		if f.lengths++; f.lengths > 1 {
			return refuse(ErrSmuggling, "second Content-Length field", value)
		}
		f.length, err = parseLength(value)
	case encodingField:
		if f.encodings++; f.encodings > 1 {
			return refuse(ErrSmuggling, "second Transfer-Encoding field", value)
		}
		if !bytes.EqualFold(value, []byte("chunked")) {
			return refuse(ErrSmuggling, "Transfer-Encoding", value)
		}
	case connectionField:
		f.connUpgrade = f.connUpgrade || hasToken(value, "upgrade")
	case upgradeField:
		// One only: the caller checks the protocol, and must see all.
		if f.upgrades++; f.upgrades > 1 {
			return refuse(ErrSmuggling, "second Upgrade field", value)
		}
		f.protocols = value
	}
	return err
}

// parseLength accepts 1..18 decimal digits and nothing else: a sign, a
// space, a comma list or an empty value is read differently by servers.
func parseLength(v []byte) (int64, error) {
	if len(v) == 0 || len(v) > maxLengthDigits {
		return 0, refuse(ErrSmuggling, "Content-Length", v)
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, refuse(ErrSmuggling, "Content-Length", v)
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

// finish checks the head as a whole and returns its framing and host.
func (f *fields) finish(rl requestLine, host *hostPort) (framing, error) {
	switch {
	case f.hosts == 0:
		// HTTP/1.0 allows it, but the gate needs a name to check.
		return framing{}, refuse(ErrMalformed, "no Host field for", rl.target)
	case f.lengths > 0 && f.encodings > 0:
		return framing{}, refuse(ErrSmuggling, "both Content-Length and Transfer-Encoding for", rl.target)
	case f.encodings > 0 && rl.http10:
		// An HTTP/1.0 server does not know chunked: it reads the chunks
		// as the next request.
		return framing{}, refuse(ErrSmuggling, "Transfer-Encoding on HTTP/1.0 for", rl.target)
	}
	if err := parseHost(f.host, host); err != nil {
		return framing{}, err
	}
	if err := checkTarget(rl.method, rl.target, host); err != nil {
		return framing{}, err
	}
	return framing{chunked: f.encodings > 0, length: f.length}, nil
}
