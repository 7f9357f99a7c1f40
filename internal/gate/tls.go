package gate

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/recipe-bottle/rbm/internal/clienthello"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// serveTLS checks the SNI of the first ClientHello, relays it, checks every
// further plaintext ClientHello (after a HelloRetryRequest), then splices.
func (s *Server) serveTLS(ctx context.Context, c *net.TCPConn, first byte, info Conn) error {
	r := firstByte(first, c)
	hello, raw, err := clienthello.ReadFirst(r)
	if err != nil {
		s.refuse(c, info, policy.GateUnread, fmt.Sprintf("no ClientHello read: %v", err))
		return errRefused
	}
	if d := s.decide(ctx, info, hello.ServerName, hello.ECH); !d.Allowed() {
		reset(c)
		return errRefused
	}
	server, err := s.connect(ctx, c, info, raw)
	if err != nil {
		return err
	}
	defer server.Close()
	back := make(chan struct{})
	go func() { // the server's side is never parsed: spliced from the start
		copyHalf(c, server)
		close(back)
	}()
	decided := false // check's refusal is reported already
	check := func(h clienthello.Hello) error {
		if d := s.decide(ctx, info, h.ServerName, h.ECH); !d.Allowed() {
			decided = true
			return fmt.Errorf("%s: %s", d.Rule, d.Reason)
		}
		return nil
	}
	if err := clienthello.Follow(r, server, hello, check); err != nil {
		if !decided {
			s.report(info, policy.Decision{Verdict: policy.Refuse, Rule: policy.GateUnread, Reason: fmt.Sprintf("after the first ClientHello: %v", err)})
		}
		reset(c)
		reset(server)
		<-back
		return errRefused
	}
	c.SetReadDeadline(time.Time{})
	copyHalf(server, c)
	<-back
	return nil
}

// connect dials the original destination and writes what was read.
func (s *Server) connect(ctx context.Context, c *net.TCPConn, info Conn, read []byte) (*net.TCPConn, error) {
	s.decided(c)
	dialer := s.Dial
	if dialer == nil {
		dialer = dial
	}
	server, err := dialer(ctx, info.Dst)
	if err != nil {
		s.logf("gate: %s for %s: %v", info.Dst, info.Name, err)
		return nil, err
	}
	if _, err := server.Write(read); err != nil {
		server.Close()
		return nil, fmt.Errorf("write to %s: %w", info.Dst, err)
	}
	return server, nil
}
