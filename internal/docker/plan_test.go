package docker

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/golden"
	"github.com/recipe-bottle/rbm/internal/runner"
)

func mustConfig(t *testing.T, kv ...string) *config.Config {
	t.Helper()
	c, _, err := config.Load(nil, kv)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var planCases = map[string][]string{
	"allowlist-entry": {
		"RBRR_RUNTIME=docker", "RBRN_MONIKER=notebook", "RBRN_BOTTLE_IMAGE=localhost/rbm-bottle:dev",
		"RBRR_DNS_SERVER=203.0.113.53",
		"RBRN_ENTRY_ENABLED=true", "RBRN_ENTRY_PORT_WORKSTATION=8888", "RBRN_ENTRY_PORT_ENCLAVE=8000",
		"RBRN_UPLINK_ACCESS_ENABLED=true", "RBRN_UPLINK_ALLOWED_CIDRS=203.0.113.0/24",
		"RBRN_UPLINK_DNS_ENABLED=true", "RBRN_UPLINK_ALLOWED_DOMAINS=allowed.test",
	},
	// RBRN_BOTTLE_*: the nameplate says what rbm run's flags say; /tmp
	// stands for a host directory that exists.
	"bottle-vars": {
		"RBRR_RUNTIME=docker", "RBRN_MONIKER=agent", "RBRN_BOTTLE_IMAGE=localhost/agent:dev", "RBRR_DNS_SERVER=203.0.113.53",
		`RBRN_BOTTLE_COMMAND=["claude", "--append-system-prompt", "-be brief; #1"]`,
		"RBRN_BOTTLE_VOLUMES=/tmp:/work /tmp:/ref:ro", "RBRN_BOTTLE_ENV=ANTHROPIC_API_KEY,TERM", "RBRN_BOTTLE_WORKDIR=/work",
	},
	"offline": {
		"RBRR_RUNTIME=docker", "RBRN_MONIKER=offline", "RBRN_BOTTLE_IMAGE=localhost/rbm-bottle:dev",
		"RBRR_POD_SUBNET=198.51.100.0/24", "RBRR_SENTRY_IP=198.51.100.2", "RBRR_BOTTLE_IP=198.51.100.3",
		"RBRR_BOTTLE_UID=2000", "RBRR_UPLINK_NETWORK=outside",
	},
}

func TestPlanGolden(t *testing.T) {
	for name, kv := range planCases {
		t.Run(name, func(t *testing.T) {
			steps, err := Plan(mustConfig(t, kv...))
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "plan-"+name+".txt", engine.String(steps))
		})
	}
}

// The uplink defaults to Docker's own network, and every object the plan
// creates carries the label Stop finds it by and has an undo.
func TestPlanDefaultsAndLabels(t *testing.T) {
	cfg := mustConfig(t, planCases["allowlist-entry"]...)
	if cfg.UplinkNetwork != "bridge" {
		t.Errorf("uplink %q, want Docker's default network bridge", cfg.UplinkNetwork)
	}
	steps, _ := Plan(cfg)
	for _, s := range steps {
		if s.Kind == engine.Create && (!strings.Contains(s.Cmd.String(), "--label rbm.moniker=notebook") || s.Undo.Name == "") {
			t.Errorf("step %q creates without the label or an undo", s.Desc)
		}
		if s.Kind == engine.Poll && s.Container == "" {
			t.Errorf("poll step %q names no container to watch", s.Desc)
		}
	}
}

func TestBridgeNameFitsAnInterfaceName(t *testing.T) {
	a, b := BridgeName("a-moniker-of-thirty-one-letters"), BridgeName("a-moniker-of-thirty-one-letterz")
	if len(a) > 15 || a == b || !strings.HasPrefix(a, "rbm-") {
		t.Fatalf("bridge names %q %q: want distinct rbm-… names of at most 15 bytes", a, b)
	}
}

// Stop removes the bottle first and the sentry last, then the host rule
// with the sentry's image, then the network.
func TestRemoveOrder(t *testing.T) {
	f := &runner.Fake{Respond: func(c runner.Cmd) ([]byte, error) {
		switch line := c.String(); {
		case strings.HasPrefix(line, "docker ps -a --filter label=rbm.moniker=nb"):
			return []byte("nb-sentry\nnb-netguard\nnb-bottle\nnb-verify\n"), nil
		case strings.HasPrefix(line, "docker container inspect") && strings.HasSuffix(line, " nb-sentry"):
			return []byte("localhost/rbm-sentry:dev\n"), nil
		case strings.HasPrefix(line, "docker network ls --filter label=rbm.moniker=nb"):
			return []byte("nb-enclave\n"), nil
		}
		return nil, nil
	}}
	var out bytes.Buffer
	if err := engine.Stop(context.Background(), Runtime{}, f, "nb", &out); err != nil {
		t.Fatal(err)
	}
	var removes []string
	for _, c := range f.Commands() {
		if strings.Contains(c, " rm ") || strings.Contains(c, "--remove") {
			removes = append(removes, c)
		}
	}
	want := []string{"docker rm -f nb-bottle", "docker rm -f nb-netguard", "docker rm -f nb-verify", "docker rm -f nb-sentry"}
	for i, w := range want {
		if i >= len(removes) || removes[i] != w {
			t.Fatalf("removals:\n%s\nwant first:\n%s", strings.Join(removes, "\n"), strings.Join(want, "\n"))
		}
	}
	if len(removes) != 6 || !strings.Contains(removes[4], "localhost/rbm-sentry:dev netinit bridge-accept --bridge "+BridgeName("nb")) || removes[5] != "docker network rm nb-enclave" {
		t.Fatalf("then the host rule and the network:\n%s", strings.Join(removes, "\n"))
	}
}

func TestAtLeast(t *testing.T) {
	for v, want := range map[string]bool{"20.10.24+dfsg1": true, "28.2.2": true, "20.9.1": false, "19.03": false, "x": false} {
		if got, _ := engine.VersionAtLeast(v, MinVersion); got != want {
			t.Errorf("atLeast(%q) = %v, want %v", v, got, want)
		}
	}
}
