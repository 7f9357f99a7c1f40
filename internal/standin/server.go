package standin

import (
	"context"
	"net/netip"
	"sync"
)

// Server is a running stand-in internet.
type Server struct {
	stats *counters
	wg    sync.WaitGroup
}

// Serve validates cfg, binds every listener and returns once all are up,
// so the caller can report readiness; it serves until ctx ends. If any
// address cannot be bound (it must already exist on an interface), Serve
// closes what it opened and returns the error at once.
func Serve(ctx context.Context, cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{stats: newCounters()}
	g := &group{}
	if err := s.bind(g, cfg); err != nil {
		g.closeAll()
		return nil, err
	}
	g.run(ctx, &s.wg)
	return s, nil
}

// bind opens every listener of cfg into g.
func (s *Server) bind(g *group, cfg Config) error {
	if cfg.Resolver.Addr != "" {
		r := newResolver(cfg.Resolver, s.stats)
		if err := g.dns("resolver", hostPort(cfg.Resolver.Addr, portDNS), r); err != nil {
			return err
		}
	}
	answer := cfg.ForeignAnswer
	if answer == "" {
		answer = DefaultForeignAnswer
	}
	f := &foreign{answer: netip.MustParseAddr(answer), stats: s.stats}
	for _, a := range cfg.Foreign {
		if err := g.bindForeign(a, f); err != nil {
			return err
		}
	}
	if err := g.bindWeb(cfg, s.stats); err != nil {
		return err
	}
	for _, a := range cfg.Echo {
		if err := g.bindEcho(a, s.stats); err != nil {
			return err
		}
	}
	if cfg.StatsSocket != "" {
		return g.bindStats(cfg.StatsSocket, s.stats)
	}
	return nil
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// Wait blocks until the servers have stopped, after ctx ended. TCP echo
// sessions still open then end by themselves within their 5s bound.
func (s *Server) Wait() { s.wg.Wait() }
