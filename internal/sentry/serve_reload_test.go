package sentry

import (
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/firewall/backends"
)

func TestServeReload(t *testing.T) {
	forBackends(t, func(t *testing.T, backend string) {
		cfgFor := func(extra ...string) *config.Config {
			return mustConfig(t, append([]string{"RBRR_FIREWALL_BACKEND=" + backend}, extra...)...)
		}
		k := newFakeKernel(t, backend)
		sv := serve(t, k, cfgFor())
		sv.waitReady(t)
		count := func() int { _, n := k.snapshot(); return n }
		applied := count()

		// Unchanged: nothing is reapplied.
		if out := sv.doReload(t); !strings.Contains(out, "configuration unchanged") {
			t.Errorf("reload of the same configuration logged %q", out)
		}
		if count() != applied {
			t.Errorf("an unchanged configuration was reapplied")
		}

		// Invalid: refused, the rules stay, Serve goes on.
		_, _, cfgErr := config.Load(nil, append(append([]string{}, baseEnv...), "RBRR_BOTTLE_IP=10.99.0.2"))
		if cfgErr == nil {
			t.Fatal("test configuration with equal addresses is valid")
		}
		sv.cfgErr.Store(&cfgErr)
		if out := sv.doReload(t); !strings.Contains(out, "reload refused, the previous rules stay") || !strings.Contains(out, "RBRR_BOTTLE_IP") {
			t.Errorf("invalid reload logged %q", out)
		}
		if count() != applied {
			t.Errorf("an invalid configuration changed the rules")
		}
		sv.cfgErr.Store(nil)

		// Another firewall backend is refused: it needs a restart.
		other := backends.Names[0]
		if other == backend {
			other = backends.Names[1]
		}
		sv.cfg.Store(mustConfig(t, "RBRR_FIREWALL_BACKEND="+other))
		if out := sv.doReload(t); !strings.Contains(out, "reload refused") || !strings.Contains(out, "only with a restart") {
			t.Errorf("a backend change on reload logged %q, want it refused", out)
		}

		// A new CIDR: one atomic replacement carrying it.
		sv.cfg.Store(cfgFor("RBRN_UPLINK_ALLOWED_CIDRS=203.0.113.0/24 198.51.100.0/25"))
		if out := sv.doReload(t); !strings.Contains(out, "reloaded: egress allowlist") {
			t.Errorf("reload logged %q", out)
		}
		if count() != applied+1 || !strings.Contains(k.lastText(), "198.51.100.0/25") {
			t.Errorf("the reload applied %d rulesets, want one carrying the new CIDR", count()-applied)
		}

		// An entry port: the reload also loosens reverse-path filtering.
		sv.cfg.Store(cfgFor("RBRN_ENTRY_ENABLED=true", "RBRN_ENTRY_PORT_WORKSTATION=8080", "RBRN_ENTRY_PORT_ENCLAVE=80"))
		sv.doReload(t)
		if v, _ := k.sysctls.Get("net.ipv4.conf.enc0.rp_filter"); v != "2" {
			t.Errorf("after a reload enabling the entry port rp_filter is %q, want 2", v)
		}

		// Interfaces are found again on every reload: an address moved to
		// another interface is refused while the old rules stay.
		k.mu.Lock()
		k.addrs = strings.Replace(readTestdata(t, "addr-two.json"), `"local":"10.99.0.2"`, `"local":"10.99.0.7"`, 1)
		k.mu.Unlock()
		n := count()
		sv.cfg.Store(cfgFor())
		if out := sv.doReload(t); !strings.Contains(out, "reload refused") || !strings.Contains(out, "RBRR_SENTRY_IP 10.99.0.2") {
			t.Errorf("reload with the sentry address gone logged %q", out)
		}
		if count() != n {
			t.Errorf("a refused reload changed the rules")
		}
		select {
		case err := <-sv.done:
			t.Fatalf("Serve returned after reloads: %v", err)
		default:
		}
		if _, err := ReadMarker(sv.s.StateDir); err != nil {
			t.Errorf("not ready after refused reloads: %v", err)
		}
	})
}
