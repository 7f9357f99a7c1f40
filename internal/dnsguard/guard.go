// Package dnsguard answers the bottle's DNS in front of dnsmasq. It refuses
// every name that is not a host name (so no other byte leaves the sentry in
// a query, and nothing dnsmasq would log as "<name unprintable>" reaches
// it), forwards the rest to dnsmasq on loopback, and reports each query and
// its answer before the answer reaches the bottle: the events rbm observe
// shows, and the name-address pairs the name gate checks against.
package dnsguard

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"

	"github.com/recipe-bottle/rbm/internal/events"
)

// Bounds of the guard's work.
const (
	// exchangeTimeout is how long dnsmasq may take to answer; it asks the
	// upstream itself and gives up silently, so past this the query is
	// "upstream failed" and the bottle gets SERVFAIL.
	exchangeTimeout = 5 * time.Second
	// inFlight bounds queries waiting for dnsmasq: a flood beyond it is
	// answered SERVFAIL at once instead of growing goroutines.
	inFlight = 1024
	// forwardSize is the EDNS buffer the guard offers dnsmasq, so its
	// Extended DNS Error (rebinding refused) always comes back.
	forwardSize = 1232
)

// Rules are what the guard needs of the policy; replaced on reload.
type Rules struct {
	// Allowed reports whether a name goes upstream (nil: every name, as in
	// global DNS): dnsmasq's NXDOMAIN for any other is "not allowed".
	Allowed func(name string) bool
	// Ignore is the client whose queries are the sentry's own (its
	// readiness query): answered, never reported.
	Ignore netip.Addr
}

// Guard serves DNS on Listen (UDP and TCP) and forwards to Backend.
type Guard struct {
	Listen  netip.AddrPort
	Backend netip.AddrPort
	// OnQuery hears every query from the bottle with its verdict, after
	// OnAnswer and before the bottle has the answer. Must not block long.
	OnQuery func(events.Event)
	// OnAnswer hears the addresses an answered name carried, before the
	// bottle has them. Must not block long.
	OnAnswer func(name string, addrs []netip.Addr)

	rules   atomic.Pointer[Rules]
	cache   cache
	slots   chan struct{}
	udp     *udpPool
	servers []*dns.Server
	done    chan error
	once    sync.Once
}

// SetRules replaces the rules and forgets every cached answer (a reload
// may have changed the upstream or forgotten learned addresses); safe
// while serving.
func (g *Guard) SetRules(r Rules) {
	g.rules.Store(&r)
	g.cache.clear()
}

// Start binds both sockets and serves until Close; a bind failure is
// returned and nothing stays open.
func (g *Guard) Start() error {
	if g.rules.Load() == nil {
		g.SetRules(Rules{})
	}
	g.slots = make(chan struct{}, inFlight)
	g.done = make(chan error, 2)
	udp, err := newUDPPool(g.Backend)
	if err != nil {
		return fmt.Errorf("dns guard: sockets to dnsmasq at %s: %w", g.Backend, err)
	}
	pc, err := net.ListenPacket("udp", g.Listen.String())
	if err != nil {
		udp.close()
		return fmt.Errorf("dns guard: listen udp %s: %w", g.Listen, err)
	}
	l, err := net.Listen("tcp", g.Listen.String())
	if err != nil {
		udp.close()
		pc.Close()
		return fmt.Errorf("dns guard: listen tcp %s: %w", g.Listen, err)
	}
	g.udp = udp
	h := dns.HandlerFunc(g.serveDNS)
	g.servers = []*dns.Server{
		{PacketConn: pc, Handler: h},
		{Listener: l, Handler: h, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second, IdleTimeout: func() time.Duration { return 8 * time.Second }},
	}
	for _, s := range g.servers {
		go func() { g.done <- s.ActivateAndServe() }()
	}
	return nil
}

// Done delivers the first error that ended a server; after Close, nil.
func (g *Guard) Done() <-chan error { return g.done }

// Close stops both servers and waits for them.
func (g *Guard) Close() {
	g.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		for _, s := range g.servers {
			s.ShutdownContext(ctx) // an error means it was already down
		}
		if g.udp != nil {
			g.udp.close()
		}
	})
}
