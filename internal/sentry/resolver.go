package sentry

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/recipe-bottle/rbm/internal/dns"
	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/supervise"
)

// startDNS writes conf (dnsmasq's configuration for st.plan.Policy), runs
// dnsmasq's supervision and the DNS guard in front of it as parts, and
// waits until a real query through both is answered, or dnsmasq's
// supervision gives up (a configuration dnsmasq rejects), whose message
// then says why. With DNS off (conf "") there is nothing to run.
func (s *Sentry) startDNS(ctx context.Context, st *state, conf string) error {
	st.dnsConf = conf
	if st.dnsConf == "" {
		st.stopGuard()
		return nil
	}
	path := filepath.Join(s.StateDir, "dnsmasq.conf")
	if err := dns.WriteConfig(path, st.dnsConf); err != nil {
		return err
	}
	starts := 0
	sup := &dns.Supervisor{Starter: s.Starter, Runner: s.Runner, ConfPath: path, Log: s.Log,
		Lines: st.learn.line,
		OnStart: func(pid int) {
			if starts++; starts > 1 {
				s.w.lifecycle(events.DnsmasqRestart, fmt.Sprintf("dnsmasq exited and was started again (pid %d)", pid))
			}
		}}
	sentryIP := st.plan.Policy.SentryIP
	st.sup.Start(context.WithoutCancel(ctx), supervise.Part{Name: partDnsmasq, Must: true,
		Run: func(ctx context.Context, _ func()) error { return sup.Run(ctx) },
		Probe: func(ctx context.Context) error {
			rctx, cancel := context.WithTimeout(ctx, readyTimeout)
			defer cancel()
			return dns.WaitReady(rctx, sentryIP, 50*time.Millisecond)
		}})
	if err := s.startGuard(ctx, st); err != nil {
		st.stopResolver()
		return err
	}
	if err := st.sup.WaitReady(ctx, partDnsmasq); err != nil {
		st.stopResolver()
		return err
	}
	return nil
}

// stopResolver stops dnsmasq and waits for it.
func (st *state) stopResolver() { st.sup.Stop(partDnsmasq) }
