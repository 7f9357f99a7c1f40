package config

import (
	"slices"
	"testing"

	"github.com/recipe-bottle/rbm/internal/presets"
)

// TestAgentExample: examples/agent/agent.env loads (the project's mount
// from the environment, as its README says), names the program and the
// key by name only, and only presets that exist.
func TestAgentExample(t *testing.T) {
	dir := t.TempDir()
	c, _, err := Load([]string{"../../examples/agent/agent.env"}, []string{"RBRN_BOTTLE_VOLUMES=" + dir + ":/work"})
	if err != nil {
		t.Fatal(err)
	}
	b := c.Bottle
	if !slices.Equal(b.Command, []string{"claude"}) || !slices.Equal(b.Env, []string{"ANTHROPIC_API_KEY"}) ||
		b.Workdir != "/work" || len(b.Volumes) != 1 || b.Volumes[0].Bottle != "/work" {
		t.Errorf("bottle %+v", b)
	}
	if !slices.Equal(c.Presets, []string{"anthropic", "github", "npm"}) {
		t.Errorf("presets %q, want anthropic github npm (the README's --allow)", c.Presets)
	}
	for _, name := range c.Presets {
		if _, ok := presets.Lookup(name); !ok {
			t.Errorf("@%s is no preset", name)
		}
	}
	if !c.AccessEnabled || !c.DNSEnabled || c.AccessGlobal || c.DNSGlobal {
		t.Error("the agent example must be an allowlist with egress and DNS on")
	}
}
