package sentry

import (
	"context"
	"time"

	"github.com/recipe-bottle/rbm/internal/denials"
	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/supervise"
)

// The sentry's parts, as its supervisor names them: a final stop of one
// that must run reads "<name> ended: <why>" and locks the enclave down.
const (
	partDnsmasq    = "dnsmasq supervision" // dns.Supervisor restarts dnsmasq itself; its end is final
	partGuard      = "DNS guard"
	partGate       = "name gate"
	partGateCounts = "name gate counts"
	partDenials    = "denial reader"
)

// Backoff of the name gate's listen after it stopped serving.
const (
	gateMinBackoff = 100 * time.Millisecond
	gateMaxBackoff = 5 * time.Second
)

// watchKernel starts reading denials (a part that may fail: without the
// kernel's log the sentry still filters, and says so) and the periodic
// event work.
func (s *Sentry) watchKernel(ctx context.Context, st *state) {
	listen := s.ListenDenials
	if listen == nil {
		listen = denials.Listen
	}
	st.sup.Start(ctx, supervise.Part{Name: partDenials,
		Run: func(ctx context.Context, ready func()) error {
			if err := listen(ctx, s.w.denial); err != nil {
				return err
			}
			ready()
			<-ctx.Done()
			return nil
		},
		OnStop: func(err error) {
			s.logf("warning: denied connections are not reported: %v", err)
			s.w.lifecycle(events.DenialsUnavailable, err.Error())
		}})
	st.sup.WaitReady(ctx, partDenials) // a failure was reported by OnStop
	go s.w.run(ctx, st.fw)
}
