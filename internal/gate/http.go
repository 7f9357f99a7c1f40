package gate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/recipe-bottle/rbm/internal/httphead"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// serveHTTP checks the Host of every request on the connection (keep-alive
// and pipelining), forwarding each once checked; the server's side is
// spliced. An upgrade is allowed as the first request only: the gate reads
// the server's status, and after a 101 relays both sides as they are.
func (s *Server) serveHTTP(ctx context.Context, c *net.TCPConn, first byte, info Conn) error {
	out := &laterWriter{}
	in := &bodyReader{c: c}
	st := httphead.NewStream(firstByte(first, in), out)
	var server *net.TCPConn
	back := make(chan struct{})
	defer func() {
		if server != nil {
			server.Close()
			<-back
		}
	}()
	for n := 0; ; n++ {
		req, err := st.Next()
		if errors.Is(err, io.EOF) && server != nil {
			server.CloseWrite() // the client is done; its answers may still come
			<-back
			return nil
		}
		if err != nil {
			s.refuse(c, info, policy.GateUnread, fmt.Sprintf("request %d not read: %v", n+1, err))
			return errRefused
		}
		// After a 101 nothing more is read: an h2c upgrade would carry
		// HTTP/2 requests for any host. Only a WebSocket, and only first.
		if req.Method == "CONNECT" || (req.Upgrade && (n > 0 || !strings.EqualFold(req.Protocols, "websocket"))) {
			s.refuse(c, info, policy.GateUnread, fmt.Sprintf("request %d: %s%s cannot be checked", n+1, req.Method, map[bool]string{true: " with an upgrade"}[req.Upgrade]))
			return errRefused
		}
		if d := s.decide(ctx, info, req.Host, false); !d.Allowed() {
			reset(c)
			return errRefused
		}
		if server == nil {
			if server, err = s.connect(ctx, c, info, nil); err != nil {
				return err
			}
			out.w = server
			if !req.Upgrade {
				go func() { copyHalf(c, server); close(back) }()
			}
		}
		// A body may take long: each read has the idle bound, not the
		// head's deadline. The next head again has a deadline of its own.
		in.idle = s.timeout(s.Idle, DefaultIdle)
		err = st.Forward()
		in.idle = 0
		if err != nil {
			return err
		}
		if req.Upgrade {
			return s.upgrade(c, server, st, back)
		}
		c.SetReadDeadline(time.Now().Add(s.timeout(s.Idle, DefaultIdle)))
	}
}

// bodyReader reads the client; while idle is set, every read may wait that
// long (a large upload is not cut by a deadline meant for a head).
type bodyReader struct {
	c    *net.TCPConn
	idle time.Duration
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.idle > 0 {
		b.c.SetReadDeadline(time.Now().Add(b.idle))
	}
	return b.c.Read(p)
}

// upgrade reads the server's answer to an upgrade request: after 101 both
// sides are relayed as they are; anything else ends the connection (the
// gate would have to follow the response's framing to go on).
func (s *Server) upgrade(c, server *net.TCPConn, st *httphead.Stream, back chan struct{}) error {
	defer close(back)
	server.SetReadDeadline(time.Now().Add(s.timeout(s.Handshake, DefaultHandshake)))
	code, head, err := httphead.ReadStatus(server)
	if err != nil {
		return fmt.Errorf("upgrade: read the server's answer: %w", err)
	}
	if _, err := c.Write(head); err != nil {
		return err
	}
	if code != 101 {
		c.CloseWrite()
		return nil
	}
	server.SetReadDeadline(time.Time{})
	c.SetReadDeadline(time.Time{})
	if rest := st.Buffered(); len(rest) > 0 {
		if _, err := server.Write(rest); err != nil {
			return err
		}
	}
	pipe(c, server)
	return nil
}

// laterWriter writes to the server once it is dialled (after the first
// request's name passed).
type laterWriter struct{ w io.Writer }

func (l *laterWriter) Write(p []byte) (int, error) {
	if l.w == nil {
		return 0, errors.New("gate: no server yet")
	}
	return l.w.Write(p)
}
