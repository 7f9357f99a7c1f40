package sentry

import (
	"context"
	"fmt"
	"reflect"

	"github.com/recipe-bottle/rbm/internal/dns"
	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// reload re-reads the configuration; an invalid one changes nothing. The
// ruleset is replaced in one atomic restore, so traffic allowed before and
// after never meets a window where forbidden traffic passes. dnsmasq is
// restarted only when its configuration changed.
func (s *Sentry) reload(ctx context.Context, st *state) error {
	cfg, err := s.Load()
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	p := cfg.Policy()
	if cfg.FirewallBackend != st.fw.Name() {
		return fmt.Errorf("RBRR_FIREWALL_BACKEND %q: the sentry runs %s; the backend changes only with a restart of the sentry", cfg.FirewallBackend, st.fw.Name())
	}
	if reflect.DeepEqual(p, st.plan.Policy) {
		s.logf("reload: %v", errNoChange)
		return nil
	}
	if err := s.applyRules(ctx, st, p); err != nil {
		return err
	}
	// The sysctls depend on the policy (rp_filter follows the entry port)
	// and on the interfaces, so they are set again. Forwarding has been on
	// since the start; a failure to set the others only warns, as there.
	warn := func(w string) { s.logf("warning: %s", w) }
	if err := applySysctls(s.Sysctls, st.plan.Sysctls, warn); err != nil {
		warn(err.Error())
	}
	if conf := st.plan.Dnsmasq; conf != st.dnsConf {
		st.stopResolver()
		// With dnsmasq stopped nothing is added meanwhile; its successor
		// starts with an empty cache, so no stale answer outlives this.
		if err := st.learn.forgetStale(ctx, p); err != nil {
			s.logf("warning: forgetting learned addresses: %v", err)
		}
		if err := s.startDNS(ctx, st, conf); err != nil {
			s.lockdown(ctx, st.fw)
			return fmt.Errorf("resolver did not come back (%v): %w", err, errLockedDown)
		}
	}
	if st.dnsConf != "" {
		if err := s.startGuard(ctx, st); err != nil {
			s.lockdown(ctx, st.fw)
			return fmt.Errorf("DNS guard (%v): %w", err, errLockedDown)
		}
	}
	if err := s.startGate(ctx, st); err != nil {
		s.lockdown(ctx, st.fw)
		return fmt.Errorf("name gate (%v): %w", err, errLockedDown)
	}
	st.learn.answers.Forget(p.Resolves)
	done := fmt.Sprintf("egress %s, DNS %s%s, interception %s, denials %s", p.Egress, p.DNS, upstreamText(p), p.Intercept, p.Deny)
	s.logf("reloaded: %s", done)
	s.w.lifecycle(events.Reloaded, done)
	return nil
}

// learnSet is where dnsmasq puts learned addresses for backend fw.
func learnSet(fw firewall.Backend) dns.LearnSet {
	d, t := fw.ResolverSet()
	return dns.LearnSet{Directive: d, Target: t}
}

// upstreamText names the resolver the sentry forwards to, for the ready
// and reloaded lines: with RBRR_DNS_SERVER unset it is the one the runtime
// gave the sentry, known only here.
func upstreamText(p policy.Policy) string {
	if p.DNS == policy.DNSOff || !p.Upstream.IsValid() {
		return ""
	}
	return " via " + p.Upstream.String()
}
