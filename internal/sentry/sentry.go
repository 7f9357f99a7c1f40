// Package sentry is the sentry's entrypoint: it applies the rules, runs the
// filtering resolver and reports readiness, failing closed at every step.
package sentry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/denials"
	"github.com/recipe-bottle/rbm/internal/dnsguard"
	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/backends"
	"github.com/recipe-bottle/rbm/internal/gate"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/supervise"
)

// readyTimeout bounds the wait for dnsmasq's first answer.
const readyTimeout = 10 * time.Second

// Sentry holds the sentry's dependencies; every side effect goes through them.
type Sentry struct {
	Runner   runner.Runner
	Starter  runner.Starter
	Sysctls  runner.Sysctls
	Log      io.Writer
	StateDir string                         // dnsmasq.conf, ready.json and events.sock live here
	Load     func() (*config.Config, error) // called at start and on every reload
	// Events receives one JSON line per event (the container's standard
	// output); nil: the events are only kept for the socket.
	Events io.Writer
	// ListenDenials reads the kernel's denial log; nil: denials.Listen.
	ListenDenials func(context.Context, func(denials.Denial)) error
	// OnReload hears how each reload ended (nil: applied or unchanged),
	// so whoever staged the new configuration can keep or drop it.
	OnReload func(error)
	// NewBackend returns the firewall backend called name ("": the default,
	// before a configuration names one); nil: backends.New over Runner.
	// Tests give an in-memory fake (firewalltest).
	NewBackend func(name string) (firewall.Backend, error)

	w *watch
}

// state is what is currently applied.
type state struct {
	fw        firewall.Backend
	plan      Plan   // the last one applied
	dnsConf   string // what dnsmasq runs with
	learn     *learning
	stopLearn context.CancelFunc
	// sup runs the parts: dnsmasq, the DNS guard, the denial reader, the
	// name gate; a final stop of dnsmasq or the guard locks down.
	sup   *supervise.Supervisor
	gate  *gate.Server    // nil while the policy checks no names
	guard *dnsguard.Guard // nil while DNS is off
}

// Serve starts the sentry and runs until ctx ends; a value on reload
// re-reads the configuration and replaces the rules atomically. Any failure
// before ready leaves the namespace locked down and returns the reason.
func (s *Sentry) Serve(ctx context.Context, reload <-chan struct{}) error {
	start := time.Now()
	s.Log = runner.Serialised(s.Log) // the sentry and dnsmasq's supervisor both log
	s.w = newWatch(s.Events)
	wctx, stopWatch := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWatch()
	s.serveEvents(wctx)
	st, err := s.start(ctx, wctx)
	if err != nil {
		s.lockdown(ctx, st.fw)
		s.stop(st)
		return err
	}
	ready := fmt.Sprintf("firewall %s, egress %s, DNS %s%s, interception %s, denials %s, learning %s, enclave %s, uplink %s",
		st.fw.Name(), st.plan.Policy.Egress, st.plan.Policy.DNS, upstreamText(st.plan.Policy), st.plan.Policy.Intercept, st.plan.Policy.Deny, learningText(st.plan.Policy), st.plan.Interfaces.Enclave, st.plan.Interfaces.Uplink)
	s.logf("ready in %d ms: %s", time.Since(start).Milliseconds(), ready)
	s.w.lifecycle(events.Ready, ready)
	defer s.stop(st)
	for {
		select {
		case <-ctx.Done():
			// Fail closed where the namespace outlives the sentry (the lab).
			s.logf("stopping: the enclave is closed (lockdown ruleset), the resolver stops")
			s.w.lifecycle(events.Stopping, "the enclave is closed; the resolver stops")
			s.lockdown(ctx, st.fw)
			return nil
		case err := <-st.sup.Failed():
			s.lockdown(ctx, st.fw)
			return err
		case <-reload:
			err := s.reload(ctx, st)
			if s.OnReload != nil {
				s.OnReload(err)
			}
			if errors.Is(err, errLockedDown) {
				return err
			}
			if err != nil {
				s.logf("reload refused, the previous rules stay: %v", err)
				s.w.lifecycle(events.ReloadRefused, "the previous rules stay: "+err.Error())
			}
		}
	}
}

// start returns the state even on failure: its backend is the one the
// lockdown must use.
// Denials are read from before the ready marker on, with wctx (which
// outlives a cancelled ctx until Serve returns).
func (s *Sentry) start(ctx, wctx context.Context) (*state, error) {
	st := &state{fw: s.defaultBackend(), sup: &supervise.Supervisor{}}
	cfg, err := s.Load()
	if err != nil {
		return st, fmt.Errorf("configuration: %w", err)
	}
	p := cfg.Policy()
	fw, err := s.backend(cfg.FirewallBackend)
	if err != nil {
		return st, fmt.Errorf("RBRR_FIREWALL_BACKEND: %w", err)
	}
	st.fw = fw
	if err := st.fw.Check(ctx); err != nil {
		return st, err
	}
	if err := s.applyRules(ctx, st, p); err != nil {
		return st, err
	}
	st.learn = newLearning(st.fw, p, learnedNamesFile(s.StateDir), s.logf)
	st.learn.onChecked = s.w.learned
	lctx, stopLearn := context.WithCancel(context.WithoutCancel(ctx))
	st.stopLearn = stopLearn
	go st.learn.run(lctx)
	// An earlier sentry's, stale; removed before this gate can write its own.
	os.Remove(gateCountsFile(s.StateDir))
	if err := s.startGate(ctx, st); err != nil {
		return st, err
	}
	if err := applySysctls(s.Sysctls, st.plan.Sysctls, func(w string) { s.logf("warning: %s", w) }); err != nil {
		return st, err
	}
	if err := os.MkdirAll(s.StateDir, 0o755); err != nil {
		return st, fmt.Errorf("state directory: %w", err)
	}
	os.Remove(learnedNamesFile(s.StateDir)) // an earlier sentry's, stale
	if err := s.startDNS(ctx, st, st.plan.Dnsmasq); err != nil {
		return st, err
	}
	m := Marker{PID: os.Getpid(), SentryIP: p.SentryIP, DNS: p.DNS != policy.DNSOff, Firewall: st.fw.Name(), Since: time.Now().UTC()}
	s.watchKernel(wctx, st)
	if err := writeMarker(s.StateDir, m); err != nil {
		return st, err
	}
	return st, nil
}

// applyRules finds the interfaces, builds the plan of p on them and
// replaces both rulesets in one step each; the rest of the plan is
// applied by the caller.
func (s *Sentry) applyRules(ctx context.Context, st *state, p policy.Policy) error {
	ifs, err := FindInterfaces(ctx, s.Runner, p.SentryIP)
	if err != nil {
		return err
	}
	pl := NewPlan(st.fw, p, ifs)
	if err := st.fw.Apply(ctx, pl.Rules); err != nil {
		return fmt.Errorf("apply rules: %w", err)
	}
	st.plan = pl
	s.w.rulesApplied(p)
	if p.Entry != nil && p.Entry.HostOnly && !ifs.UplinkGateway.IsValid() {
		s.logf("warning: the entry port is published on loopback, but uplink %s has no default gateway to limit the entry to: any host on the uplink network can reach it at this sentry's address", ifs.Uplink)
	}
	return nil
}

// backend is the firewall backend called name.
func (s *Sentry) backend(name string) (firewall.Backend, error) {
	if s.NewBackend != nil {
		return s.NewBackend(name)
	}
	if name == "" {
		return backends.Default(s.Runner), nil
	}
	return backends.New(name, s.Runner)
}

// defaultBackend is the one the lockdown uses before a configuration
// named one; a NewBackend without a default still gets the real one.
func (s *Sentry) defaultBackend() firewall.Backend {
	if fw, err := s.backend(""); err == nil && fw != nil {
		return fw
	}
	return backends.Default(s.Runner)
}

// stop ends every part (also after a failed start).
func (s *Sentry) stop(st *state) {
	os.Remove(markerPath(s.StateDir))
	st.stopGuard()
	st.stopResolver()
	st.stopGate()
	st.sup.StopAll()
	if st.stopLearn != nil {
		st.stopLearn()
	}
}

var (
	errNoChange   = errors.New("configuration unchanged")
	errLockedDown = errors.New("locked down")
)
