package run

import (
	"slices"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/config"
)

// TestApply: the flags over the nameplate's RBRN_BOTTLE_*: -v and -e add
// (replacing the same bottle path or name), -w and the command replace;
// the bottle keeps only mounts and the keep-alive, the rest goes on exec.
func TestApply(t *testing.T) {
	cfg := &config.Config{Bottle: config.Bottle{
		Command: []string{"claude"},
		Env:     []string{"ANTHROPIC_API_KEY", "TERM"},
		Workdir: "/work",
		Volumes: []config.Volume{{Host: "/a", Bottle: "/work"}, {Host: "/b", Bottle: "/ref", ReadOnly: true}},
	}}
	s := &Spec{
		Env:     []Env{{Name: "TERM", Value: "dumb", HasValue: true}, {Name: "HOME"}},
		Volumes: []config.Volume{{Host: "/c", Bottle: "/work"}},
	}
	argv := s.Apply(cfg, nil)
	if !slices.Equal(argv, []string{"claude"}) {
		t.Errorf("no command after --: %q, want the nameplate's", argv)
	}
	var vols []string
	for _, v := range cfg.Bottle.Volumes {
		vols = append(vols, v.Arg())
	}
	if got := strings.Join(vols, " "); got != "/b:/ref:ro /c:/work" {
		t.Errorf("volumes %q", got)
	}
	var env []string
	for _, e := range s.Env {
		env = append(env, e.Arg())
	}
	if got := strings.Join(env, " "); got != "ANTHROPIC_API_KEY TERM=dumb HOME" {
		t.Errorf("exec env %q", got)
	}
	if s.Workdir != "/work" {
		t.Errorf("workdir %q, want the nameplate's", s.Workdir)
	}
	b := cfg.Bottle
	if !b.KeepAlive || b.Command != nil || b.Env != nil || b.Workdir != "" {
		t.Errorf("the bottle holds more than mounts and the keep-alive: %+v", b)
	}
}

func TestApplyFlagsReplace(t *testing.T) {
	cfg := &config.Config{Bottle: config.Bottle{Command: []string{"claude"}, Workdir: "/work"}}
	s := &Spec{Workdir: "/src"}
	if argv := s.Apply(cfg, []string{"sh"}); !slices.Equal(argv, []string{"sh"}) || s.Workdir != "/src" {
		t.Errorf("argv %q, workdir %q: want the flags'", argv, s.Workdir)
	}
	if argv := (&Spec{}).Apply(&config.Config{}, nil); argv != nil {
		t.Errorf("nothing given: %q, want none (the image's own)", argv)
	}
}
