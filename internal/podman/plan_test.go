package podman

import (
	"github.com/recipe-bottle/rbm/internal/golden"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/enginehost"
)

// settings turns "K=V" pairs into a configuration layer.
func settings(kv ...string) map[string]config.Setting {
	m := map[string]config.Setting{}
	for _, s := range kv {
		k, v, _ := strings.Cut(s, "=")
		m[k] = config.Setting{Value: v, Origin: "test"}
	}
	return m
}

func mustConfig(t *testing.T, kv ...string) *config.Config {
	t.Helper()
	c, _, err := config.Resolve(settings(kv...))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var planCases = map[string][]string{
	"allowlist-entry": {
		"RBRN_MONIKER=notebook", "RBRN_BOTTLE_IMAGE=localhost/rbm-bottle:dev",
		"RBRR_DNS_SERVER=203.0.113.53", "RBRR_UPLINK_NETWORK=podman",
		"RBRN_ENTRY_ENABLED=true", "RBRN_ENTRY_PORT_WORKSTATION=8888", "RBRN_ENTRY_PORT_ENCLAVE=8000",
		"RBRN_UPLINK_ACCESS_ENABLED=true", "RBRN_UPLINK_ALLOWED_CIDRS=203.0.113.0/24",
		"RBRN_UPLINK_DNS_ENABLED=true", "RBRN_UPLINK_ALLOWED_DOMAINS=allowed.test",
	},
	// RBRN_BOTTLE_*: the nameplate says what rbm run's flags say; /tmp
	// stands for a host directory that exists.
	"bottle-vars": {
		"RBRN_MONIKER=agent", "RBRN_BOTTLE_IMAGE=localhost/agent:dev", "RBRR_DNS_SERVER=203.0.113.53",
		`RBRN_BOTTLE_COMMAND=["claude", "--append-system-prompt", "-be brief; #1"]`,
		"RBRN_BOTTLE_VOLUMES=/tmp:/work /tmp:/ref:ro", "RBRN_BOTTLE_ENV=ANTHROPIC_API_KEY,TERM", "RBRN_BOTTLE_WORKDIR=/work",
	},
	"offline": {
		"RBRN_MONIKER=offline", "RBRN_BOTTLE_IMAGE=localhost/rbm-bottle:dev",
		"RBRR_POD_SUBNET=198.51.100.0/24", "RBRR_SENTRY_IP=198.51.100.2", "RBRR_BOTTLE_IP=198.51.100.3",
		"RBRR_BOTTLE_UID=2000",
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

// Under rootless Podman the pod maps the invoking user to the bottle's
// uid and gid; nothing else changes.
func TestPlanRootlessGolden(t *testing.T) {
	steps, err := Runtime{Rootless: true}.Plan(mustConfig(t, planCases["bottle-vars"]...))
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "plan-rootless-bottle-vars.txt", engine.String(steps))
}

// rbm start plans for the engine the preflight found.
func TestForHostFollowsRootless(t *testing.T) {
	for _, rootless := range []bool{false, true} {
		if got := engine.ForHost(Runtime{}, enginehost.Host{Rootless: rootless}); got != (Runtime{Rootless: rootless}) {
			t.Errorf("ForHost(rootless=%v) = %#v", rootless, got)
		}
	}
}

func TestPlanNeedsBottleImage(t *testing.T) {
	_, err := Plan(mustConfig(t, "RBRN_MONIKER=x"))
	if err == nil || !strings.Contains(err.Error(), "RBRN_BOTTLE_IMAGE is empty") {
		t.Fatalf("err = %v, want one naming RBRN_BOTTLE_IMAGE", err)
	}
}

// Every value reaches podman as its own argv element: a value with spaces
// stays one argument and is quoted when printed.
func TestPlanEnvIsOneArgumentPerVariable(t *testing.T) {
	cfg := mustConfig(t, append(planCases["allowlist-entry"], "RBRN_UPLINK_ALLOWED_DOMAINS=a.test b.test")...)
	steps, _ := Plan(cfg)
	args := steps[1].Cmd.Args
	found := false
	for i, a := range args {
		if a == "RBRN_UPLINK_ALLOWED_DOMAINS=a.test b.test" && args[i-1] == "--env" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no single --env argument for the domains in %q", args)
	}
	if !strings.Contains(steps[1].Cmd.String(), "'RBRN_UPLINK_ALLOWED_DOMAINS=a.test b.test'") {
		t.Fatal("printed command does not quote the value")
	}
}

func TestEveryCreatedObjectIsLabelled(t *testing.T) {
	steps, _ := Plan(mustConfig(t, planCases["allowlist-entry"]...))
	for _, s := range steps {
		if s.Kind == engine.Create && !strings.Contains(s.Cmd.String(), "--label rbm.moniker=notebook") {
			t.Errorf("step %q creates without the label", s.Desc)
		}
		if s.Kind == engine.Create && s.Undo.Name == "" {
			t.Errorf("step %q creates without an undo", s.Desc)
		}
	}
}
