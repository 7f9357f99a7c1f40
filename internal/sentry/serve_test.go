package sentry

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/firewall/firewalltest"
)

func TestServeOrderReadyAndStop(t *testing.T) {
	forBackends(t, func(t *testing.T, backend string) {
		k := newFakeKernel(t, backend)
		sv := serve(t, k, mustConfig(t, "RBRR_FIREWALL_BACKEND="+backend))
		m := sv.waitReady(t)
		if m.PID != os.Getpid() || m.DNS || m.SentryIP.String() != "10.99.0.2" || m.Firewall != backend {
			t.Errorf("marker %+v; want this process, DNS off, sentry 10.99.0.2, firewall %s", m, backend)
		}
		// The marker is written just before the ready line is logged.
		for deadline := time.Now().Add(2 * time.Second); !strings.Contains(sv.log.String(), "enclave enc0, uplink up0") && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		if !strings.Contains(sv.log.String(), "ready in ") || !strings.Contains(sv.log.String(), "enclave enc0, uplink up0") {
			t.Errorf("log lacks the ready line naming the interfaces:\n%s", sv.log)
		}
		events, applied := k.snapshot()
		check, rules, fwd := index(events, "check"), index(events, "apply"), index(events, "sysctl net.ipv4.ip_forward=1")
		if check < 0 || rules < check || fwd < rules {
			t.Errorf("order of side effects %q; want the check, the rules, then forwarding on", events)
		}
		if fwd != len(events)-1 {
			t.Errorf("events after forwarding was turned on: %q", events[fwd+1:])
		}
		text := k.lastText()
		if applied != 1 || !strings.Contains(text, "rbm:fwd-allow-cidrs") || !strings.Contains(text, "enc0") || !strings.Contains(text, "203.0.113.0/24") {
			t.Errorf("want one ruleset for enc0 allowing 203.0.113.0/24, got %d:\n%s", applied, text)
		}

		sv.cancel()
		if err := sv.result(t); err != nil {
			t.Fatalf("Serve after cancel: %v", err)
		}
		if _, err := os.Stat(markerPath(sv.s.StateDir)); !os.IsNotExist(err) {
			t.Errorf("ready marker still there after stop: %v", err)
		}
		after, _ := k.snapshot()
		if stop := after[len(events):]; !slices.Equal(stop, []string{"lockdown"}) || !k.fw.LockedDown() {
			t.Errorf("stopping must load the lockdown ruleset and nothing else: %q", stop)
		}
		if !strings.Contains(sv.log.String(), "the enclave is closed") {
			t.Errorf("log does not say the enclave is closed:\n%s", sv.log)
		}
	})
}

func TestServeFailsClosed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(k *fakeKernel, sv *Sentry)
		extra []string
		want  []string
	}{
		{name: "invalid configuration",
			setup: func(k *fakeKernel, s *Sentry) {
				s.Load = func() (*config.Config, error) {
					c, _, err := config.Load(nil, append(append([]string{}, baseEnv...), "RBRR_FIREWALL_BACKEND="+k.backend, "RBRN_UPLINK_ACCESS_ENABLED=maybe"))
					return c, err
				}
			},
			want: []string{"configuration", "RBRN_UPLINK_ACCESS_ENABLED", "maybe"}},
		{name: "sentry address on no interface", extra: []string{"RBRR_SENTRY_IP=10.99.0.4"},
			want: []string{"RBRR_SENTRY_IP", "10.99.0.4"}},
		{name: "other ruleset holds rules",
			setup: func(k *fakeKernel, _ *Sentry) {
				k.fw.Fail(firewalltest.CallCheck, errors.New("backend split: legacy rules"))
			},
			want: []string{"backend split: legacy rules"}},
		{name: "kernel refuses the ruleset",
			setup: func(k *fakeKernel, _ *Sentry) {
				k.fw.Fail(firewalltest.CallApply, errors.New("restore: line 7 failed"))
			},
			want: []string{"apply rules", "line 7"}},
		{name: "forwarding cannot be enabled",
			setup: func(k *fakeKernel, _ *Sentry) { k.sysctls.failSet = map[string]bool{"net.ipv4.ip_forward": true} },
			want:  []string{"--sysctl net.ipv4.ip_forward=1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forBackends(t, func(t *testing.T, backend string) {
				k := newFakeKernel(t, backend)
				log := &syncBuffer{}
				s := k.sentry(t, log, mustConfig(t, append(tc.extra, "RBRR_FIREWALL_BACKEND="+backend)...))
				if tc.setup != nil {
					tc.setup(k, s)
				}
				// A marker left by an earlier run must not survive a failed start.
				if err := writeMarker(s.StateDir, Marker{PID: os.Getpid()}); err != nil {
					t.Fatal(err)
				}
				done := make(chan error, 1)
				go func() { done <- s.Serve(context.Background(), nil) }()
				var err error
				select {
				case err = <-done:
				case <-time.After(5 * time.Second):
					t.Fatal("Serve did not fail")
				}
				if err == nil {
					t.Fatal("Serve succeeded")
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				events, _ := k.snapshot()
				if n := len(events); n < 1 || events[n-1] != "lockdown" || !k.fw.LockedDown() {
					t.Errorf("events %q; want the lockdown last", events)
				}
				if i := index(events, "sysctl net.ipv4.ip_forward=1"); i >= 0 {
					t.Errorf("forwarding was turned on although the start failed: %q", events)
				}
				if _, err := os.Stat(markerPath(s.StateDir)); !os.IsNotExist(err) {
					t.Errorf("ready marker present after a failed start: %v", err)
				}
				if !strings.Contains(log.String(), "lockdown ruleset loaded") {
					t.Errorf("log does not report the lockdown:\n%s", log)
				}
			})
		})
	}
}

func TestServeLockdownFailureIsCritical(t *testing.T) {
	forBackends(t, func(t *testing.T, backend string) {
		k := newFakeKernel(t, backend)
		k.fw.Fail(firewalltest.CallApply, errors.New("restore: no nf_tables"))
		k.fw.Fail(firewalltest.CallLockdown, errors.New("restore: no nf_tables"))
		log := &syncBuffer{}
		s := k.sentry(t, log, mustConfig(t, "RBRR_FIREWALL_BACKEND="+backend))
		if err := s.Serve(context.Background(), nil); err == nil {
			t.Fatal("Serve succeeded without any rules")
		}
		if !strings.Contains(log.String(), "CRITICAL: could not load the lockdown ruleset") {
			t.Errorf("a failed lockdown is not reported as critical:\n%s", log)
		}
	})
}
