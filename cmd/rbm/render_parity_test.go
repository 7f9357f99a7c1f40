package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/firewall/backends"
	"github.com/recipe-bottle/rbm/internal/firewall/firewalltest"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/sentry"
)

// The sentry's interfaces as `ip -j` shows them in the parity test: the
// enclave enc0 holds the sentry's address, the uplink up0 a stand-in
// subnet with a default gateway.
const (
	parityAddrs  = `[{"ifname":"lo","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]},{"ifname":"up0","addr_info":[{"family":"inet","local":"198.51.100.2","prefixlen":30}]},{"ifname":"enc0","addr_info":[{"family":"inet","local":"10.99.0.2","prefixlen":24}]}]`
	parityRoutes = `[{"dst":"default","gateway":"198.51.100.1","dev":"up0"}]`
)

// paritySysctls is a /proc/sys where nothing reads, so every value is
// written, in order.
type paritySysctls struct {
	mu     sync.Mutex
	writes []string
}

func (p *paritySysctls) Get(string) (string, error) { return "", errors.New("unreadable") }

func (p *paritySysctls) Set(k, v string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writes = append(p.writes, k+"="+v)
	return nil
}

type noStart struct{}

func (noStart) Start(context.Context, runner.Cmd, io.Writer, io.Writer) (runner.Proc, error) {
	return nil, errors.New("nothing starts with DNS off")
}

// TestRenderPrintsThePlanTheSentryApplies starts a sentry on the fake
// firewall and compares what it loaded and wrote with rbm render given the
// same configuration and interfaces.
func TestRenderPrintsThePlanTheSentryApplies(t *testing.T) {
	for _, mode := range []struct{ name, env string }{
		{"allowlist-entry", "RBRN_UPLINK_ACCESS_ENABLED=true\nRBRN_UPLINK_ALLOWED_CIDRS=203.0.113.0/24\nRBRN_ENTRY_ENABLED=true\nRBRN_ENTRY_PORT_WORKSTATION=8080\nRBRN_ENTRY_PORT_ENCLAVE=80\n"},
		{"global", "RBRN_UPLINK_ACCESS_ENABLED=true\nRBRN_UPLINK_ACCESS_GLOBAL=true\n"},
		{"offline", "RBRN_UPLINK_ACCESS_ENABLED=false\n"},
	} {
		for _, backend := range backends.Names {
			t.Run(mode.name+"/"+backend, func(t *testing.T) {
				t.Setenv("RBRR_FIREWALL_BACKEND", backend)
				dir := t.TempDir()
				regime := filepath.Join(dir, "regime.env")
				nameplate := filepath.Join(dir, "nameplate.env")
				writeTestFile(t, regime, "RBRR_POD_SUBNET=10.99.0.0/24\nRBRR_SENTRY_IP=10.99.0.2\nRBRR_BOTTLE_IP=10.99.0.3\nRBRR_DNS_SERVER=198.51.100.53\n")
				writeTestFile(t, nameplate, mode.env+"RBRN_UPLINK_DNS_ENABLED=false\n")
				fw, sys := startParitySentry(t, regime, nameplate)
				rs, ok := fw.Last()
				if !ok {
					t.Fatal("the sentry applied no rules")
				}
				args := []string{"--regime", regime, "--nameplate", nameplate, "--enclave-if", "enc0", "--uplink-if", "up0",
					"--uplink-gateway", "198.51.100.1", "--uplink-prefix", "198.51.100.0/30"}
				for _, d := range rs.Docs {
					if got := runRender(t, append(args, "--only", d.Name)...); got != d.Text {
						t.Errorf("rbm render --only %s differs from what the sentry applied:\n%s\napplied:\n%s", d.Name, got, d.Text)
					}
				}
				want := strings.Join(sys.writes, "\n") + "\n"
				if got := runRender(t, append(args, "--only", sentry.DocSysctl)...); got != want {
					t.Errorf("rbm render --only sysctl:\n%s\nthe sentry wrote:\n%s", got, want)
				}
				if got := runRender(t, append(args, "--only", sentry.DocDnsmasq)...); !strings.HasPrefix(got, "# DNS is disabled") {
					t.Errorf("with DNS off rbm render prints a dnsmasq configuration:\n%s", got)
				}
			})
		}
	}
}

func writeTestFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// startParitySentry serves a sentry until it is ready, then stops it.
func startParitySentry(t *testing.T, regime, nameplate string) (*firewalltest.Fake, *paritySysctls) {
	t.Helper()
	name := os.Getenv("RBRR_FIREWALL_BACKEND")
	fw, err := firewalltest.New(name)
	if err != nil {
		t.Fatal(err)
	}
	ip := &runner.Fake{Respond: func(c runner.Cmd) ([]byte, error) {
		switch c.String() {
		case "ip -j -4 addr show":
			return []byte(parityAddrs), nil
		case "ip -j -4 route show default":
			return []byte(parityRoutes), nil
		}
		return nil, fmt.Errorf("unexpected command %s", c)
	}}
	sys := &paritySysctls{}
	s := &sentry.Sentry{Runner: ip, Starter: noStart{}, Sysctls: sys, StateDir: t.TempDir(), NewBackend: fw.Factory(),
		Load: func() (*config.Config, error) {
			c, _, err := config.LoadFromProcess(nil, []string{regime, nameplate})
			return c, err
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, nil) }()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, err := sentry.ReadMarker(s.StateDir); err == nil {
			break
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("the sentry ended before ready: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("the sentry was not ready after 5 s")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("the sentry's stop: %v", err)
	}
	sys.mu.Lock()
	defer sys.mu.Unlock()
	return fw, sys
}
