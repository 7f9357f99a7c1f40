package httphead

import (
	"errors"
	"strings"
	"testing"
)

// Shapes of hostile input, for the table below.
func post(fields, body string) string {
	return "POST / HTTP/1.1\r\nHost: a.test\r\n" + fields + "\r\n" + body
}

func chunked(body string) string { return post("Transfer-Encoding: chunked\r\n", body) }

func withHost(h string) string { return "GET / HTTP/1.1\r\nHost: " + h + "\r\n\r\n" }

func withTarget(method, target string) string {
	return method + " " + target + " HTTP/1.1\r\nHost: a.test\r\n\r\n"
}

// refusals is every shape the package refuses, one row each, with the
// error the gate tells it by.
var refusals = []struct {
	name, in string
	want     error
}{
	// Framing two servers could read two ways.
	{"length and chunked", post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), ErrSmuggling},
	{"chunked and length", post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n"), ErrSmuggling},
	{"two equal lengths", post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello"), ErrSmuggling},
	{"two lengths differing in case", post("Content-Length: 5\r\ncontent-length: 6\r\n", "hello!"), ErrSmuggling},
	{"length list", post("Content-Length: 5, 5\r\n", "hello"), ErrSmuggling},
	{"length with plus", post("Content-Length: +5\r\n", "hello"), ErrSmuggling},
	{"length negative", post("Content-Length: -1\r\n", ""), ErrSmuggling},
	{"length empty", post("Content-Length:\r\n", ""), ErrSmuggling},
	{"length with inner space", post("Content-Length: 1 0\r\n", "0123456789"), ErrSmuggling},
	{"length hex", post("Content-Length: 0x5\r\n", "hello"), ErrSmuggling},
	{"length 19 digits", post("Content-Length: 1000000000000000000\r\n", ""), ErrSmuggling},
	{"length underscore", post("Content_Length: 5\r\n", "hello"), ErrSmuggling},
	{"encoding gzip chunked", post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"), ErrSmuggling},
	{"encoding chunked twice in a list", post("Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n"), ErrSmuggling},
	{"encoding identity", post("Transfer-Encoding: identity\r\n", ""), ErrSmuggling},
	{"encoding chunked with parameter", post("Transfer-Encoding: chunked;q=1\r\n", "0\r\n\r\n"), ErrSmuggling},
	{"encoding misspelt", post("Transfer-Encoding: xchunked\r\n", "0\r\n\r\n"), ErrSmuggling},
	{"encoding empty", post("Transfer-Encoding:\r\n", ""), ErrSmuggling},
	{"two encodings", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), ErrSmuggling},
	{"encoding underscore", post("Transfer_Encoding: chunked\r\n", "0\r\n\r\n"), ErrSmuggling},
	{"encoding on http/1.0", "POST / HTTP/1.0\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", ErrSmuggling},
	{"space before colon", post("Transfer-Encoding : chunked\r\n", "0\r\n\r\n"), ErrSmuggling},
	{"tab before colon", post("Content-Length\t: 5\r\n", "hello"), ErrSmuggling},
	{"space before host colon", "GET / HTTP/1.1\r\nHost : a.test\r\n\r\n", ErrSmuggling},
	{"space in field name", post("Content Length: 5\r\n", "hello"), ErrSmuggling},
	{"tab before encoding value", post("Transfer-Encoding:\tchunked\r\n", "0\r\n\r\n"), ErrSmuggling},
	{"tab after encoding value", post("Transfer-Encoding: chunked\t\r\n", "0\r\n\r\n"), ErrSmuggling},
	{"tab before length value", post("Content-Length:\t5\r\n", "hello"), ErrSmuggling},
	{"tab around host", withHost("\ta.test"), ErrSmuggling},
	{"vertical tab before encoding value", post("Transfer-Encoding:\vchunked\r\n", "0\r\n\r\n"), ErrMalformed},
	{"folded field", post("X-A: 1\r\n 2\r\n", ""), ErrSmuggling},
	{"folded encoding", post("Transfer-Encoding:\r\n\tchunked\r\n", "0\r\n\r\n"), ErrSmuggling},
	{"folded first field", "GET / HTTP/1.1\r\n Host: a.test\r\nHost: a.test\r\n\r\n", ErrSmuggling},
	{"two hosts", "GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n", ErrSmuggling},
	{"two equal hosts", "GET / HTTP/1.1\r\nHost: a.test\r\nhost: a.test\r\n\r\n", ErrSmuggling},
	{"two upgrade fields", "GET / HTTP/1.1\r\nHost: a.test\r\nConnection: upgrade\r\nUpgrade: websocket\r\nUpgrade: h2c\r\n\r\n", ErrSmuggling},
	{"trailer host", chunked("0\r\nHost: evil.test\r\n\r\n"), ErrSmuggling},
	{"trailer length", chunked("0\r\nContent-Length: 5\r\n\r\n"), ErrSmuggling},
	{"trailer encoding", chunked("0\r\ntransfer-encoding: chunked\r\n\r\n"), ErrSmuggling},
	{"trailer encoding underscore", chunked("0\r\nTransfer_Encoding: chunked\r\n\r\n"), ErrSmuggling},
	{"trailer folded", chunked("0\r\nX: 1\r\n 2\r\n\r\n"), ErrSmuggling},
	// Targets naming a host the Host field does not.
	{"absolute other host", withTarget("GET", "http://evil.test/"), ErrSmuggling},
	{"absolute other port", "GET http://a.test:81/ HTTP/1.1\r\nHost: a.test:80\r\n\r\n", ErrSmuggling},
	{"absolute https", withTarget("GET", "https://a.test/"), ErrSmuggling},
	{"absolute ws", withTarget("GET", "ws://a.test/"), ErrSmuggling},
	{"absolute without slashes", withTarget("GET", "http:a.test/"), ErrSmuggling},
	{"absolute userinfo", withTarget("GET", "http://evil.test@a.test/"), ErrSmuggling},
	{"absolute userinfo host last", withTarget("GET", "http://a.test@evil.test/"), ErrSmuggling},
	{"absolute query userinfo", withTarget("GET", "http://a.test?@evil.test/"), ErrSmuggling},
	{"absolute backslash userinfo", withTarget("GET", `http://a.test\@evil.test/`), ErrSmuggling},
	{"authority form on get", withTarget("GET", "a.test:80"), ErrSmuggling},
	{"connect other host", withTarget("CONNECT", "evil.test:443"), ErrSmuggling},
	{"network-path target", withTarget("GET", "//evil.test/x"), ErrSmuggling},

	// Malformed.
	{"bare lf request line", "GET / HTTP/1.1\nHost: a.test\r\n\r\n", ErrMalformed},
	{"bare lf field", "GET / HTTP/1.1\r\nHost: a.test\nX: y\r\n\r\n", ErrMalformed},
	{"bare lf end of head", "GET / HTTP/1.1\r\nHost: a.test\r\n\n", ErrMalformed},
	{"bare cr in value", post("X: a\rb\r\n", ""), ErrMalformed},
	{"nul in value", post("X: a\x00b\r\n", ""), ErrMalformed},
	{"del in value", post("X: a\x7fb\r\n", ""), ErrMalformed},
	{"leading empty line", "\r\nGET / HTTP/1.1\r\nHost: a.test\r\n\r\n", ErrMalformed},
	{"leading bare lf", "\nGET / HTTP/1.1\r\nHost: a.test\r\n\r\n", ErrMalformed},
	{"double space", "GET  / HTTP/1.1\r\nHost: a.test\r\n\r\n", ErrMalformed},
	{"space after version", "GET / HTTP/1.1 \r\nHost: a.test\r\n\r\n", ErrMalformed},
	{"no version", "GET /\r\nHost: a.test\r\n\r\n", ErrMalformed},
	{"space in target", "GET /a b HTTP/1.1\r\nHost: a.test\r\n\r\n", ErrMalformed},
	{"tab in target", withTarget("GET", "/a\tb"), ErrMalformed},
	{"control in target", withTarget("GET", "/a\x01"), ErrMalformed},
	{"non-ascii target", withTarget("GET", "/\xc3\xa9"), ErrMalformed},
	{"fragment in target", withTarget("GET", "/a#b"), ErrMalformed},
	{"fragment after absolute host", withTarget("GET", "http://a.test#@evil.test/"), ErrMalformed},
	{"relative target", withTarget("GET", "index.html"), ErrMalformed},
	{"asterisk on get", withTarget("GET", "*"), ErrMalformed},
	{"connect without port", withTarget("CONNECT", "a.test"), ErrMalformed},
	{"connect origin form", withTarget("CONNECT", "/"), ErrMalformed},
	{"absolute bad host", withTarget("GET", "http://a..test/"), ErrMalformed},
	{"absolute ipv6", withTarget("GET", "http://[::1]/"), ErrMalformed},
	{"no host 1.1", "GET / HTTP/1.1\r\nX: y\r\n\r\n", ErrMalformed},
	{"no host 1.0", "GET / HTTP/1.0\r\n\r\n", ErrMalformed},
	{"empty host", withHost(""), ErrMalformed},
	{"blank host", withHost("   "), ErrMalformed},
	{"host ipv6", withHost("[::1]"), ErrMalformed},
	{"host ipv6 with port", withHost("[::1]:80"), ErrMalformed},
	{"host bare ipv6", withHost("::1"), ErrMalformed},
	{"host port zero", withHost("a.test:0"), ErrMalformed},
	{"host port too big", withHost("a.test:65536"), ErrMalformed},
	{"host port empty", withHost("a.test:"), ErrMalformed},
	{"host port leading zero", withHost("a.test:080"), ErrMalformed},
	{"host port sign", withHost("a.test:+80"), ErrMalformed},
	{"host empty label", withHost("a..test"), ErrMalformed},
	{"host leading dot", withHost(".a.test"), ErrMalformed},
	{"host two trailing dots", withHost("a.test.."), ErrMalformed},
	{"host dot", withHost("."), ErrMalformed},
	{"host label 64", withHost(strings.Repeat("a", 64) + ".test"), ErrMalformed},
	{"host 254 bytes", withHost(strings.Repeat("a.", 126) + "aa"), ErrMalformed},
	{"host with space", withHost("a test"), ErrMalformed},
	{"host with slash", withHost("a.test/x"), ErrMalformed},
	{"host with userinfo", withHost("evil.test@a.test"), ErrMalformed},
	{"host percent", withHost("a%2etest"), ErrMalformed},
	{"host utf-8", withHost("\xc3\xa9.test"), ErrMalformed},
	{"host short ipv4", withHost("127.1"), ErrMalformed},
	{"host hex ipv4", withHost("0x7f.0.0.1"), ErrMalformed},
	{"host hex last label", withHost("a.0x1"), ErrMalformed},
	{"host octal ipv4", withHost("010.0.0.1"), ErrMalformed},
	{"host ipv4 out of range", withHost("256.0.0.1"), ErrMalformed},
	{"host ipv4 five parts", withHost("1.2.3.4.5"), ErrMalformed},
	{"host numeric tld", withHost("a.test.123"), ErrMalformed},
	{"field without colon", post("X-A\r\n", ""), ErrMalformed},
	{"field empty name", post(": x\r\n", ""), ErrMalformed},
	{"field name not a token", post("X(a): x\r\n", ""), ErrMalformed},
	{"chunk size with space", chunked("5 \r\nhello\r\n0\r\n\r\n"), ErrMalformed},
	{"chunk size leading space", chunked(" 5\r\nhello\r\n0\r\n\r\n"), ErrMalformed},
	{"chunk size with plus", chunked("+5\r\nhello\r\n0\r\n\r\n"), ErrMalformed},
	{"chunk size 0x", chunked("0x5\r\nhello\r\n0\r\n\r\n"), ErrMalformed},
	{"chunk size negative", chunked("-5\r\nhello\r\n0\r\n\r\n"), ErrMalformed},
	{"chunk size empty", chunked("\r\n"), ErrMalformed},
	{"chunk size 17 digits", chunked("00000000000000005\r\nhello\r\n0\r\n\r\n"), ErrMalformed},
	{"chunk size beyond int64", chunked("8000000000000000\r\n"), ErrMalformed},
	{"chunk size space before ext", chunked("5 ;a\r\nhello\r\n0\r\n\r\n"), ErrMalformed},
	{"chunk ext with control", chunked("5;a\x01\r\nhello\r\n0\r\n\r\n"), ErrMalformed},
	{"chunk ext with bare cr", chunked("5;a\rb\r\nhello\r\n0\r\n\r\n"), ErrMalformed},
	{"chunk size bare lf", chunked("5\nhello\r\n0\r\n\r\n"), ErrMalformed},
	{"chunk data too long", chunked("5\r\nhelloXX\r\n0\r\n\r\n"), ErrMalformed},
	{"chunk data bare lf", chunked("5\r\nhello\n0\r\n\r\n"), ErrMalformed},
	{"last chunk bare lf end", chunked("0\r\n\n"), ErrMalformed},
	{"trailer without colon", chunked("0\r\nX\r\n\r\n"), ErrMalformed},
	{"trailer control", chunked("0\r\nX: \x00\r\n\r\n"), ErrMalformed},

	// Bounds.
	{"head beyond MaxHead", post(strings.Repeat("X-Pad: "+strings.Repeat("p", 1000)+"\r\n", 17), ""), ErrTooLarge},
	{"line beyond the buffer", post("X-Pad: "+strings.Repeat("p", MaxHead)+"\r\n", ""), ErrTooLarge},
	{"101 fields", post(strings.Repeat("X: y\r\n", 100), ""), ErrTooLarge},
	{"chunk line beyond 1 KiB", chunked("5;" + strings.Repeat("e", 1100) + "\r\nhello\r\n0\r\n\r\n"), ErrTooLarge},
	{"101 trailers", chunked("0\r\n" + strings.Repeat("X: y\r\n", 101) + "\r\n"), ErrTooLarge},
	{"trailers beyond MaxHead", chunked("0\r\n" + strings.Repeat("X: "+strings.Repeat("t", 1000)+"\r\n", 17) + "\r\n"), ErrTooLarge},

	// Not HTTP/1.x at all.
	{"tls client hello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", ErrNotHTTP},
	{"ssh banner", "SSH-2.0-x\r\n", ErrNotHTTP},
	{"http2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", ErrNotHTTP},
	{"lowercase method", "get / HTTP/1.1\r\nHost: a.test\r\n\r\n", ErrNotHTTP},
	{"method with dash", "M-SEARCH * HTTP/1.1\r\nHost: a.test\r\n\r\n", ErrNotHTTP},
	{"method 21 letters", strings.Repeat("A", 21) + " / HTTP/1.1\r\nHost: a.test\r\n\r\n", ErrNotHTTP},
	{"tab after method", "GET\t/ HTTP/1.1\r\nHost: a.test\r\n\r\n", ErrNotHTTP},
	{"version 1.2", "GET / HTTP/1.2\r\nHost: a.test\r\n\r\n", ErrNotHTTP},
	{"version 2", "GET / HTTP/2\r\nHost: a.test\r\n\r\n", ErrNotHTTP},
	{"version lowercase", "GET / http/1.1\r\nHost: a.test\r\n\r\n", ErrNotHTTP},
	{"http 0.9", "GET /\r\n", ErrMalformed},
	{"nul byte", "\x00", ErrNotHTTP},
}

// TestRefusals runs each shape alone and after a valid request: the error
// must be the one named, and nothing of the refused request may reach the
// server when it is refused at its head.
func TestRefusals(t *testing.T) {
	const ok = "GET / HTTP/1.1\r\nHost: ok.test\r\n\r\n"
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			for _, prefix := range []string{"", ok} {
				res := run(strings.NewReader(prefix + tc.in))
				if !errors.Is(res.err, tc.want) {
					t.Fatalf("after %d bytes: err = %v, want %v", len(prefix), res.err, tc.want)
				}
				if !strings.HasPrefix(prefix+tc.in, string(res.out)) || len(res.out) < len(prefix) {
					t.Errorf("server got %q, not the input's prefix through the valid request", res.out)
				}
				if res.inNext && len(res.out) != len(prefix) {
					t.Errorf("refused at its head, yet %d bytes of it reached the server", len(res.out)-len(prefix))
				}
			}
		})
	}
}
