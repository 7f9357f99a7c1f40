package sentry

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/recipe-bottle/rbm/internal/dns"
	"github.com/recipe-bottle/rbm/internal/events"
)

// startDNS writes conf (dnsmasq's configuration for st.policy), supervises
// dnsmasq behind the DNS guard and waits until a real query through both is
// answered. With DNS off (conf "") there is nothing to run.
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
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	starts := 0
	sup := &dns.Supervisor{Starter: s.Starter, Runner: s.Runner, ConfPath: path, Log: s.Log,
		Lines: st.learn.line,
		OnStart: func(pid int) {
			if starts++; starts > 1 {
				s.w.lifecycle(events.DnsmasqRestart, fmt.Sprintf("dnsmasq exited and was started again (pid %d)", pid))
			}
		}}
	st.stopDNS, st.dnsDone = cancel, make(chan error, 1)
	go func() { st.dnsDone <- sup.Run(dctx) }()
	if err := s.startGuard(st); err != nil {
		st.stopResolver()
		return err
	}
	return st.waitResolver(ctx)
}

// waitResolver waits for dnsmasq's first answer, or for the supervisor to
// give up (a configuration dnsmasq rejects), whose message then says why.
func (st *state) waitResolver(ctx context.Context) error {
	rctx, rcancel := context.WithTimeout(ctx, readyTimeout)
	defer rcancel()
	ready := make(chan error, 1)
	go func() { ready <- dns.WaitReady(rctx, st.policy.SentryIP, 50*time.Millisecond) }()
	select {
	case err := <-ready:
		if err != nil {
			st.stopResolver()
		}
		return err
	case err := <-st.dnsDone:
		rcancel()
		<-ready
		st.stopDNS()
		st.stopDNS, st.dnsDone = nil, nil
		return fmt.Errorf("dnsmasq: %w", err)
	}
}

// stopResolver stops dnsmasq and waits for it.
func (st *state) stopResolver() {
	if st.stopDNS == nil {
		return
	}
	st.stopDNS()
	<-st.dnsDone
	st.stopDNS, st.dnsDone = nil, nil
}
