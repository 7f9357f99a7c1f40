package httphead

import (
	"bytes"
	"io"
	"net/netip"
	"strings"
)

// result is what a Stream made of an input.
type result struct {
	reqs     []Request
	out      []byte
	err      error // io.EOF when the whole input was accepted
	inNext   bool  // err came from Next (no byte of that request written)
	beforeAt int   // len(out) before the failing step
}

// maxRun bounds the requests one input may hold in a test.
const maxRun = 10000

// run drives a Stream over r to the end or the first error.
func run(r io.Reader) result {
	var out bytes.Buffer
	s := NewStream(r, &out)
	var res result
	for range maxRun {
		res.beforeAt = out.Len()
		req, err := s.Next()
		if err != nil {
			res.err, res.inNext = err, true
			break
		}
		res.reqs = append(res.reqs, req)
		if err := s.Forward(); err != nil {
			res.err = err
			break
		}
	}
	res.out = out.Bytes()
	return res
}

// hosts lists the Hosts of reqs.
func hosts(reqs []Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Host)
	}
	return out
}

// normHost normalises a net/http Request.Host the way Request.Host is
// documented: lowercase, no port, no trailing dot.
func normHost(h string) string {
	h = strings.ToLower(h)
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h, "]") {
		h = h[:i]
	}
	return strings.TrimSuffix(h, ".")
}

// validHostName is an independent statement of what a returned Host may
// be: a dotted-quad IPv4 address, or lowercase labels of 1..63 letters,
// digits, '-' and '_', at most 253 bytes, no trailing dot.
func validHostName(h string) bool {
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Is4()
	}
	if len(h) == 0 || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if len(label) == 0 || len(label) > 63 {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
