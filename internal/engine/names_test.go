package engine

import (
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/config"
)

func TestBottleArgs(t *testing.T) {
	cfg := &config.Config{BottleImage: "img"}
	if got := strings.Join(BottleArgs(cfg), " "); got != "img" {
		t.Errorf("rbm start's bottle: %q, want the image alone (its own command)", got)
	}
	cfg.Bottle = config.Bottle{KeepAlive: true, Volumes: []config.Volume{{Host: "/h", Bottle: "/b", ReadOnly: true}, {Host: "/x", Bottle: "/y"}}}
	if got := strings.Join(BottleArgs(cfg), " "); got != "-v /h:/b:ro -v /x:/y --entrypoint=sleep img infinity" {
		t.Errorf("rbm run's bottle: %q", got)
	}
}

// TestBottleArgsFromNameplate: RBRN_BOTTLE_* become the create's options
// and the whole argv (an --entrypoint resets the image's command too); an
// environment variable is a bare name, its value the runtime's to read.
func TestBottleArgsFromNameplate(t *testing.T) {
	cfg := &config.Config{BottleImage: "img", Bottle: config.Bottle{
		Command: []string{"claude", "--model", "-x y"},
		Env:     []string{"ANTHROPIC_API_KEY", "TERM"},
		Workdir: "/work",
		Volumes: []config.Volume{{Host: "/h", Bottle: "/work"}},
	}}
	got := strings.Join(BottleArgs(cfg), "|")
	want := "-e|ANTHROPIC_API_KEY|-e|TERM|-w|/work|-v|/h:/work|--entrypoint=claude|img|--model|-x y"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	cfg.Bottle.KeepAlive = true // rbm run: the command runs by exec instead
	if got := strings.Join(BottleArgs(cfg), "|"); !strings.HasSuffix(got, "--entrypoint=sleep|img|infinity") {
		t.Errorf("keep-alive: %s", got)
	}
}
