package run

import (
	"fmt"
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

// EnvWarnings name the bare -e names lookup (rbm's environment) does not
// have: the runtime then leaves them unset in the bottle, which a program
// needing its key reports only later, if at all.
func (s *Spec) EnvWarnings(lookup func(string) (string, bool)) []string {
	var out []string
	for _, e := range s.Env {
		if _, ok := lookup(e.Name); !e.HasValue && !ok {
			out = append(out, fmt.Sprintf("-e %s: %s is not set in rbm's environment: the bottle gets no %s", e.Name, e.Name, e.Name))
		}
	}
	return out
}
