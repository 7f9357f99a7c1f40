package podman

import (
	"bytes"
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/subnet"
)

// TestAutoSubnet: with the enclave unset, rbm start takes the first /24 of
// 10.242.0.0/16 that no Podman network and no host route uses (10.242.0/24
// is another service's, 10.242.1/24 a host route), and the preflight
// passes with it; the lock is held until released.
func TestAutoSubnet(t *testing.T) {
	host := healthyHost()
	host["podman network ls"] = out(`[{"name":"podman","network_interface":"podman0","subnets":[{"subnet":"10.88.0.0/16"}]},
{"name":"other-enclave","network_interface":"podman1","subnets":[{"subnet":"10.242.0.0/24"}],"internal":true}]`)
	host["ip -j -4 route show"] = out(`[{"dst":"default","gateway":"192.0.2.1","dev":"eth0"},{"dst":"10.242.1.0/24","dev":"wg0"},{"dst":"10.88.0.0/16","dev":"podman0"}]`)
	cfg := mustConfig(t, planCases["allowlist-entry"]...)
	if !cfg.EnclaveUnset() {
		t.Fatal("the allowlist-entry case sets its enclave; the test needs it unset")
	}
	lock := filepath.Join(t.TempDir(), "subnet.lock")
	chosen, release, err := engine.AutoSubnet(context.Background(), engine.NewSite(Runtime{}, host.fake()), cfg, lock)
	if err != nil {
		t.Fatal(err)
	}
	if chosen.Subnet.String() != "10.242.2.0/24" || chosen.SentryIP.String() != "10.242.2.2" || chosen.BottleIP.String() != "10.242.2.3" {
		t.Fatalf("chose %v (sentry %v, bottle %v), want 10.242.2.0/24", chosen.Subnet, chosen.SentryIP, chosen.BottleIP)
	}
	if o := chosen.Settings["RBRR_POD_SUBNET"].Origin; !strings.Contains(o, "chosen") {
		t.Errorf("origin %q does not say it was chosen", o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := subnet.Lock(ctx, lock); err == nil {
		t.Fatal("the lock was free while the choice was held")
	}
	release()
	p := engine.Preflight{Runtime: Runtime{}, Runner: host.fake(), PortFree: func(netip.Addr, uint16) error { return nil }}
	if err := p.Check(context.Background(), chosen).Err(); err != nil {
		t.Errorf("preflight of the chosen enclave: %v", err)
	}
}

// TestAutoSubnetKeepsExplicit: a given subnet is never replaced, even when
// it overlaps (the preflight says so).
func TestAutoSubnetKeepsExplicit(t *testing.T) {
	cfg := mustConfig(t, append(planCases["allowlist-entry"], "RBRR_POD_SUBNET=10.242.7.0/24")...)
	got, release, err := engine.AutoSubnet(context.Background(), engine.NewSite(Runtime{}, healthyHost().fake()), cfg, "")
	release()
	if err != nil || got != cfg {
		t.Fatalf("AutoSubnet changed an explicit configuration: %v, %v", got.Subnet, err)
	}
	if cfg.SentryIP.String() != "10.242.7.2" {
		t.Errorf("sentry %v, want .2 of the given subnet", cfg.SentryIP)
	}
}

// TestStartSaysWhenTheNetworkExists: NetworkCreated is called after the
// enclave network step, before the sentry is created.
func TestStartSaysWhenTheNetworkExists(t *testing.T) {
	f := scripted{}.fake()
	var at int
	o := engine.Options{Out: &bytes.Buffer{}, NetworkCreated: func() { at = len(f.Commands()) }}
	if err := engine.Start(context.Background(), Runtime{}, f, mustConfig(t, planCases["allowlist-entry"]...), o); err != nil {
		t.Fatal(err)
	}
	cmds := f.Commands()
	if at == 0 || !strings.HasPrefix(cmds[at-1], "podman network create") {
		t.Fatalf("NetworkCreated after %d commands: %v", at, cmds)
	}
}

// TestStartReadsTheSiteOnce: a start that chooses its subnet and then runs
// the preflight and plans with the same Site asks the engine where it runs
// and lists its networks once and, with the engine in a VM, runs the route-reading
// container once.
func TestStartReadsTheSiteOnce(t *testing.T) {
	info, err := os.ReadFile("../enginehost/testdata/podman-machine-rootless.json")
	if err != nil {
		t.Fatal(err)
	}
	const routes = "podman run --rm --network host --entrypoint ip localhost/rbm-sentry:dev -j -4 route show"
	h := healthyHost()
	h["podman info --format json"] = out(string(info))
	h[routes] = out(`[{"dst":"default","gateway":"192.168.127.1","dev":"enp0s1"}]`)
	f := h.fake()
	site := engine.NewSite(Runtime{}, f)
	cfg, release, err := engine.AutoSubnet(context.Background(), site, mustConfig(t, planCases["allowlist-entry"]...), "")
	if err != nil {
		t.Fatal(err)
	}
	release()
	p := engine.Preflight{Runtime: Runtime{}, Runner: f, Site: site, PortFree: func(netip.Addr, uint16) error { return nil }}
	if err := p.Check(context.Background(), cfg).Err(); err != nil {
		t.Fatalf("preflight: %v", err)
	}
	if rt := site.Runtime(context.Background()); rt != (Runtime{Rootless: true}) {
		t.Errorf("the site plans with %#v, want rootless Podman (the machine's info says so)", rt)
	}
	count := map[string]int{}
	for _, c := range f.Commands() {
		count[c]++
	}
	for _, c := range []string{"podman info --format json", "podman network ls --format json", routes} {
		if count[c] != 1 {
			t.Errorf("%s ran %d times, want once: %q", c, count[c], f.Commands())
		}
	}
}
