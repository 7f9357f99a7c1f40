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
	if got := strings.Join(BottleArgs(cfg), " "); got != "-v /h:/b:ro -v /x:/y --entrypoint sleep img infinity" {
		t.Errorf("rbm run's bottle: %q", got)
	}
}
