package httphead

import "bytes"

// checkTarget validates the request-target against the method and, for the
// authority and absolute forms, against the Host field's host: the server
// may route by either, so they must name the same host.
func checkTarget(method string, target []byte, host *hostPort) error {
	for _, c := range target {
		// A fragment is never sent (RFC 9112 3.2); where '#' ends an
		// authority is one more place parsers differ.
		if c <= ' ' || c >= 0x7f || c == '#' {
			return refuse(ErrMalformed, "request target byte", target)
		}
	}
	switch {
	case len(target) == 0:
		return refuse(ErrMalformed, "request target", target)
	case method == "CONNECT":
		return checkAuthority(target, host)
	case bytes.HasPrefix(target, []byte("//")):
		// Origin-form by the grammar, but a network-path reference (an
		// authority) to parsers that resolve it as a URL reference.
		return refuse(ErrSmuggling, "request target", target)
	case target[0] == '/':
		return nil
	case len(target) == 1 && target[0] == '*':
		if method != "OPTIONS" {
			return refuse(ErrMalformed, "asterisk target for method", []byte(method))
		}
		return nil
	case hasScheme(target):
		return checkAbsolute(target, host)
	}
	return refuse(ErrMalformed, "request target", target)
}

// checkAuthority checks a CONNECT target: host:port, the port required.
func checkAuthority(target []byte, host *hostPort) error {
	var a hostPort
	if err := parseHost(target, &a); err != nil {
		return err
	}
	if len(a.port) == 0 {
		return refuse(ErrMalformed, "connect target without a port", target)
	}
	if !a.sameAs(host) {
		return refuse(ErrSmuggling, "connect target naming another host", target)
	}
	return nil
}

// checkAbsolute checks an absolute-form target: http only, no userinfo,
// the same host.
func checkAbsolute(target []byte, host *hostPort) error {
	const scheme = "http://"
	if len(target) < len(scheme) || !bytes.EqualFold(target[:len(scheme)], []byte(scheme)) {
		return refuse(ErrSmuggling, "request target scheme", target)
	}
	authority := target[len(scheme):]
	if i := bytes.IndexByte(authority, '/'); i >= 0 {
		authority = authority[:i]
	}
	// Userinfo, or an '@' in a query right after the authority
	// ("http://a.test?@evil.test/"): parsers disagree on which is the host.
	if bytes.IndexByte(authority, '@') >= 0 {
		return refuse(ErrSmuggling, "request target with userinfo", target)
	}
	if i := bytes.IndexByte(authority, '?'); i >= 0 {
		authority = authority[:i]
	}
	var a hostPort
	if err := parseHost(authority, &a); err != nil {
		return err
	}
	if !a.sameAs(host) {
		return refuse(ErrSmuggling, "request target naming another host", target)
	}
	return nil
}

// hasScheme reports whether target starts with a URI scheme and ':'
// (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )).
func hasScheme(target []byte) bool {
	for i, c := range target {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}
