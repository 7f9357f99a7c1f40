// Package gate is the sentry's name gate: the bottle's TCP to learned
// addresses on the checked ports is redirected to it; it reads the name
// the client sends (TLS SNI of every plaintext ClientHello, HTTP Host of
// every request), decides with policy.DecideName, and relays what passes
// to the original destination from a marked socket, spliced in the kernel
// once nothing is left to read. What it cannot read is refused.
package gate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// Defaults of a Server's bounds.
const (
	// DefaultMaxConns caps the connections the gate holds at once; past it
	// the oldest one still being read is dropped, so silent connections
	// cannot starve a real one.
	DefaultMaxConns = 4096
	// DefaultHandshake bounds the time to the first name (and between a
	// TLS client's plaintext records, or an HTTP client's request heads).
	DefaultHandshake = 10 * time.Second
	// DefaultIdle bounds an HTTP keep-alive connection's wait for its next request.
	DefaultIdle = 2 * time.Minute
	// learnWait is how long a decision waits for the resolver's log to
	// record an answer the kernel's set already holds.
	learnWait = 500 * time.Millisecond
)

// Conn describes one gated connection for events.
type Conn struct {
	Src, Dst netip.AddrPort
	Proto    string // "tls", "http" or "tcp" (unreadable)
	Name     string // the name read, "" when none
}

// Server is the gate. Set the fields, then Serve.
type Server struct {
	Answers   *Answers
	MaxConns  int           // 0: DefaultMaxConns
	Handshake time.Duration // 0: DefaultHandshake
	Idle      time.Duration // 0: DefaultIdle
	// OnDecision hears every decision (from many goroutines at once).
	OnDecision func(Conn, policy.Decision)
	// Logf reports the gate's own trouble (a panic caught, accept failing).
	Logf func(format string, args ...any)
	// OriginalDst and Dial are the kernel seam; nil: SO_ORIGINAL_DST and
	// a socket marked firewall.GateMark. Tests without a REDIRECT set them.
	OriginalDst func(*net.TCPConn) (netip.AddrPort, error)
	Dial        func(context.Context, netip.AddrPort) (*net.TCPConn, error)

	policy atomic.Pointer[policy.Policy]
	counts counts

	mu      sync.Mutex
	reading map[*net.TCPConn]time.Time // connections not yet decided, by start
	evicted map[*net.TCPConn]bool      // dropped to make room: reported as busy
	open    int
}

// SetPolicy replaces the policy decisions are made with (start, reload).
func (s *Server) SetPolicy(p policy.Policy) { s.policy.Store(&p) }

// Counts returns the decisions made so far, by rule id.
func (s *Server) Counts() map[string]uint64 { return s.counts.snapshot() }

// Serve accepts on l until ctx ends or l fails for good. A connection's
// failure, panic included, ends that connection only.
func (s *Server) Serve(ctx context.Context, l *net.TCPListener) error {
	s.mu.Lock()
	s.reading = map[*net.TCPConn]time.Time{}
	s.evicted = map[*net.TCPConn]bool{}
	s.mu.Unlock()
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for delay := time.Duration(0); ; {
		c, err := l.AcceptTCP()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return ctx.Err()
			}
			// Out of descriptors and the like: wait a little, go on.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.logf("gate: accept: %v (retrying in %s)", err, delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		if !s.admit(c) {
			s.refuse(c, Conn{}, policy.GateBusy, "the gate holds its most connections, all relaying")
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.handle(ctx, c)
		}()
	}
}

// admit makes room for c: at the cap, the oldest connection still being
// read is dropped (counted as busy), never one already relaying; when all
// are relaying, c itself is refused.
func (s *Server) admit(c *net.TCPConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	limit := s.MaxConns
	if limit <= 0 {
		limit = DefaultMaxConns
	}
	if s.open >= limit {
		var oldest *net.TCPConn
		var since time.Time
		for r, t := range s.reading {
			if oldest == nil || t.Before(since) {
				oldest, since = r, t
			}
		}
		if oldest == nil {
			return false
		}
		delete(s.reading, oldest)
		s.evicted[oldest] = true
		reset(oldest) // its handler sees the error, reports busy and ends
	}
	s.open++
	s.reading[c] = time.Now()
	return true
}

// wasEvicted reports whether c was dropped to make room.
func (s *Server) wasEvicted(c *net.TCPConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.evicted[c]
}

// decided moves c out of the connections being read.
func (s *Server) decided(c *net.TCPConn) {
	s.mu.Lock()
	delete(s.reading, c)
	s.mu.Unlock()
}

// closed counts c's end.
func (s *Server) closed(c *net.TCPConn) {
	s.mu.Lock()
	delete(s.reading, c)
	delete(s.evicted, c)
	s.open--
	s.mu.Unlock()
}

func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

func (s *Server) timeout(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Listen opens the gate's listener on port of every local address: the
// REDIRECT lands on the enclave address, and the sentry's INPUT admits
// only redirected connections.
func Listen(port int) (*net.TCPListener, error) {
	l, err := net.ListenTCP("tcp4", &net.TCPAddr{Port: port})
	if err != nil {
		return nil, fmt.Errorf("name gate: listen on port %d: %w", port, err)
	}
	return l, nil
}
