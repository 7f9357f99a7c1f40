package config

import (
	"os"
	"path/filepath"
	"strings"
)

// Volume is a host path mounted into the bottle (rbm run -v). Both paths
// are absolute and hold no ',' or ':' (the runtimes' separators) and no
// control byte: checked by whoever builds one, before a plan sees it.
type Volume struct {
	Host, Bottle string
	ReadOnly     bool
}

// Arg is the value of the runtime's -v option.
func (v Volume) Arg() string {
	s := v.Host + ":" + v.Bottle
	if v.ReadOnly {
		s += ":ro"
	}
	return s
}

// Bottle is what the bottle container gets beyond its image: the
// RBRN_BOTTLE_* variables (bottlevars.go), with rbm run's flags merged in
// (run.Spec.Apply), and under rbm run a keep-alive command instead of the
// image's own, so the program runs by exec and its exit is rbm run's to see.
type Bottle struct {
	Command   []string // RBRN_BOTTLE_COMMAND: the whole argv; empty: the image's
	Volumes   []Volume // RBRN_BOTTLE_VOLUMES, then rbm run -v
	Env       []string // RBRN_BOTTLE_ENV: names only, values from rbm's environment
	Workdir   string   // RBRN_BOTTLE_WORKDIR, or rbm run -w
	KeepAlive bool     // entrypoint `sleep infinity` (rbm run)
}

// KeepAlive is the bottle's command under rbm run: it only holds the
// container up while the program runs by exec, and needs a `sleep` that
// takes "infinity" (coreutils, busybox).
var KeepAlive = []string{"sleep", "infinity"}

// ParseVolume reads HOST:BOTTLE[:ro]. The host path must exist; both must
// be absolute (a relative host path is taken from the working directory).
// what names the value in errors (the flag).
func ParseVolume(what, s string) (Volume, error) {
	parts := strings.Split(s, ":")
	bad := func(want string) (Volume, error) {
		return Volume{}, &Error{Problems: []Problem{{Var: what, Value: s, Want: want}}}
	}
	if len(parts) < 2 || len(parts) > 3 || (len(parts) == 3 && parts[2] != "ro" && parts[2] != "rw") {
		return bad("expected HOST:BOTTLE or HOST:BOTTLE:ro")
	}
	v := Volume{Host: parts[0], Bottle: parts[1], ReadOnly: len(parts) == 3 && parts[2] == "ro"}
	if !pathOK(v.Host) || !pathOK(v.Bottle) {
		return bad("expected paths without ',' or control characters")
	}
	if !strings.HasPrefix(v.Bottle, "/") {
		return bad("expected an absolute path in the bottle (after the ':')")
	}
	abs, err := filepath.Abs(v.Host)
	if err != nil {
		return bad("expected an absolute host path (the working directory is unknown)")
	}
	v.Host = abs
	if _, err := os.Stat(v.Host); err != nil {
		return bad("expected an existing host path")
	}
	return v, nil
}

func pathOK(p string) bool {
	if p == "" {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c == 0x7f || c == ',' {
			return false
		}
	}
	return true
}
