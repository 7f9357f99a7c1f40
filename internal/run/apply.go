package run

import (
	"slices"

	"github.com/recipe-bottle/rbm/internal/config"
)

// Apply merges the nameplate's bottle (cfg.Bottle, from the RBRN_BOTTLE_*
// variables) with the flags, one rule for each: -v adds to
// RBRN_BOTTLE_VOLUMES (a -v for a bottle path already mounted replaces
// that mount), -e adds to RBRN_BOTTLE_ENV (a name given both ways is the
// flag's), -w replaces RBRN_BOTTLE_WORKDIR, a command after -- replaces
// RBRN_BOTTLE_COMMAND. The bottle itself only holds the mounts and the
// keep-alive; the environment, directory and command go on the exec, so
// an environment value lives in no container's configuration. It returns
// the program to run: empty means the image's own.
func (s *Spec) Apply(cfg *config.Config, argv []string) []string {
	b := cfg.Bottle
	vols := slices.DeleteFunc(slices.Clone(b.Volumes), func(v config.Volume) bool {
		return slices.ContainsFunc(s.Volumes, func(f config.Volume) bool { return f.Bottle == v.Bottle })
	})
	var env []Env
	for _, name := range b.Env {
		if !slices.ContainsFunc(s.Env, func(e Env) bool { return e.Name == name }) {
			env = append(env, Env{Name: name})
		}
	}
	s.Env = append(env, s.Env...)
	if s.Workdir == "" {
		s.Workdir = b.Workdir
	}
	cfg.Bottle = config.Bottle{Volumes: append(vols, s.Volumes...), KeepAlive: true}
	if len(argv) == 0 {
		return b.Command
	}
	return argv
}
