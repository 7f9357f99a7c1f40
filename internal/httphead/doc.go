// Package httphead reads the client-to-server direction of a plain HTTP/1.x
// connection request by request, so that the sentry's name gate can check
// the Host of every request (keep-alive and pipelining included) before any
// of its bytes reach the server.
//
// The client is hostile. Everything is bounded (MaxHead per head, 100 fields,
// 1 KiB per chunk-size line, bodies streamed through a fixed buffer) and
// parsed more strictly than any server we forward to, because the gate is
// only as good as the agreement between it and the server on where each
// request starts. The rule is: refuse what two servers could read two ways.
// So this package refuses, among others: bare LF line endings; a leading
// empty line; obsolete line folding; whitespace in or before the colon of a
// field name; a tab in a Host, Content-Length or Transfer-Encoding line;
// field names that become framing fields when '_' is read as '-'; a second
// Host, Content-Length, Transfer-Encoding or Upgrade field; Content-Length
// with Transfer-Encoding; any Content-Length but one plain decimal; any
// Transfer-Encoding but "chunked" on HTTP/1.1; absolute-form targets naming
// another host, a scheme other than http, or an '@' in the authority;
// origin-form targets starting with "//" (a network-path reference to some
// parsers); a '#' in a target; and host names whose last label is numeric
// but that are not a canonical dotted-quad IPv4 address ("127.1",
// "0x7f.1": URL parsers read them as addresses). A refusal wraps one of the
// sentinel errors with what was refused; a refused connection is closed,
// never resynchronised.
//
// The package parses; deciding is the caller's job. In particular a CONNECT
// request and an upgrade request are returned parsed: the gate refuses the
// first and, for the second, checks the protocol (Request.Protocols) and
// reads the server's answer (ReadStatus) before it reads anything more from
// the client, since after a 101 the client's bytes are no longer HTTP.
//
// Net/http's request parser is not used on purpose: it accepts bare LF,
// reads ahead past the request it returns, and is lenient about framing in
// ways that are fine for a server and fatal for a gate in front of one. The
// tests use it only as a second opinion: everything this package accepts,
// net/http reads as the same requests with the same hosts, or refuses sooner.
package httphead
