package sentry

import (
	"context"
	"net/netip"
	"time"

	"github.com/recipe-bottle/rbm/internal/dns"
	"github.com/recipe-bottle/rbm/internal/dnsguard"
	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/supervise"
)

// startGuard starts the DNS guard on the sentry's address once (it keeps
// serving across reloads; dnsmasq behind it may restart) and gives it the
// plan's rules. The guard is a part that must run: its end locks down.
func (s *Sentry) startGuard(ctx context.Context, st *state) error {
	rules := st.plan.Guard
	if st.guard != nil && st.guard.Listen.Addr() == st.plan.Policy.SentryIP {
		st.guard.SetRules(rules)
		return nil
	}
	st.stopGuard() // the sentry's address changed
	g := &dnsguard.Guard{
		Listen:  netip.AddrPortFrom(st.plan.Policy.SentryIP, 53),
		Backend: dns.Backend,
		OnQuery: s.w.query,
		OnAnswer: func(name string, addrs []netip.Addr) {
			s.w.resolved(name, addrs)
			st.learn.answered(name, addrs)
		},
	}
	g.SetRules(rules)
	st.sup.Start(context.WithoutCancel(ctx), supervise.Part{Name: partGuard, Must: true,
		Run: func(ctx context.Context, ready func()) error {
			if err := g.Start(); err != nil {
				return err
			}
			defer g.Close()
			ready()
			select {
			case <-ctx.Done():
				return nil
			case err := <-g.Done():
				return err
			}
		}})
	if err := st.sup.WaitReady(ctx, partGuard); err != nil {
		st.sup.Stop(partGuard)
		return err
	}
	st.guard = g
	return nil
}

// guardRules: which names dnsmasq forwards (so its NXDOMAIN for the others
// is "not allowed"), and whose queries are the sentry's own.
func guardRules(p policy.Policy) dnsguard.Rules {
	r := dnsguard.Rules{Ignore: p.SentryIP}
	if p.DNS == policy.DNSAllowlist {
		r.Allowed = p.Resolves
	}
	return r
}

func (st *state) stopGuard() {
	st.sup.Stop(partGuard)
	st.guard = nil
}

// query reports one query from the bottle.
func (w *watch) query(e events.Event) { w.h.Emit(e) }

// resolved remembers which name each address answered for, so a denial
// can name it.
func (w *watch) resolved(name string, addrs []netip.Addr) {
	for _, a := range addrs {
		w.names.Remember(name, a)
	}
}

// answered records, before the bottle has the answer, which addresses an
// allowed name carried: the name gate's source of truth.
func (l *learning) answered(name string, addrs []netip.Addr) {
	l.mu.Lock()
	lifetime, learns := l.lifetime, l.learns
	l.mu.Unlock()
	if !learns {
		return
	}
	exp := time.Now().Add(lifetime)
	for _, a := range addrs {
		if !l.answers.Record(name, a, exp) {
			l.logf("warning: the name gate's table is full: %s (%s) is refused until older answers expire", a, name)
		}
	}
}
