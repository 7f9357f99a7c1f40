package gate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"runtime/debug"
	"time"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// errRefused ends a connection the gate refused (already counted).
var errRefused = errors.New("refused")

// handle reads, decides and relays one redirected connection.
func (s *Server) handle(ctx context.Context, c *net.TCPConn) {
	defer s.closed(c)
	defer c.Close()
	defer func() {
		if r := recover(); r != nil {
			s.logf("gate: a connection's handler failed, the connection is reset: %v\n%s", r, debug.Stack())
			reset(c)
		}
	}()
	info := Conn{Proto: "tcp"}
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		info.Src = a.AddrPort()
	}
	origDst := s.OriginalDst
	if origDst == nil {
		origDst = originalDst
	}
	dst, err := origDst(c)
	if err != nil {
		s.refuse(c, info, policy.GateUnread, err.Error())
		return
	}
	info.Dst = netip.AddrPortFrom(dst.Addr().Unmap(), dst.Port())
	c.SetReadDeadline(time.Now().Add(s.timeout(s.Handshake, DefaultHandshake)))
	var first [1]byte
	if _, err := io.ReadFull(c, first[:]); err != nil {
		s.refuse(c, info, policy.GateUnread, fmt.Sprintf("nothing to read: %v", err))
		return
	}
	switch b := first[0]; {
	case b == 0x16: // a TLS handshake record
		info.Proto = "tls"
		err = s.serveTLS(ctx, c, first[0], info)
	case b >= 'A' && b <= 'Z': // an HTTP method
		info.Proto = "http"
		err = s.serveHTTP(ctx, c, first[0], info)
	default:
		s.refuse(c, info, policy.GateUnread, fmt.Sprintf("neither TLS nor HTTP (first byte %#02x)", b))
		return
	}
	if err != nil && !errors.Is(err, errRefused) {
		reset(c)
	}
}

// decide judges name for info's destination and reports the decision.
func (s *Server) decide(ctx context.Context, info Conn, name string, ech bool) policy.Decision {
	p := s.policy.Load()
	if p == nil {
		return policy.Decision{Verdict: policy.Refuse, Rule: policy.GateUnread, Reason: "the gate has no policy yet"}
	}
	d := p.DecideName(info.Dst, name, ech, s.Answers)
	if d.Rule == policy.GateUnlearned && s.Answers.Wait(ctx, name, info.Dst.Addr(), learnWait) {
		d = p.DecideName(info.Dst, name, ech, s.Answers)
	}
	info.Name = name
	s.report(info, d)
	return d
}

// refuse resets c and reports why; a connection dropped to make room is
// reported as busy, whatever its read then failed with.
func (s *Server) refuse(c *net.TCPConn, info Conn, rule, reason string) {
	if s.wasEvicted(c) {
		rule, reason = policy.GateBusy, "dropped while still unread: the gate held its most connections"
	}
	s.report(info, policy.Decision{Verdict: policy.Refuse, Rule: rule, Reason: reason})
	reset(c) // after the count: whoever sees the reset finds it counted
}

func (s *Server) report(info Conn, d policy.Decision) {
	s.counts.add(d.Rule)
	if s.OnDecision != nil {
		s.OnDecision(info, d)
	}
}

// firstByte puts back the byte read to tell TLS from HTTP, in front of r.
func firstByte(b byte, r io.Reader) io.Reader {
	return io.MultiReader(bytes.NewReader([]byte{b}), r)
}
