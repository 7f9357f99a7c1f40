// Package presets holds named allowlists built into rbm: the exact names a
// service needs, where those names come from, and what opening them lets
// the bottle do beyond reading. `@name` in RBRN_UPLINK_ALLOWED_DOMAINS is
// expanded from here on the host, so the sentry only ever sees plain names.
package presets

import (
	"slices"
	"strings"
)

// Preset is one named allowlist.
type Preset struct {
	Name    string   // without the leading @
	Names   []string // exact host names, or "*.d" for the names under d; never a public suffix
	Source  string   // the public page the names come from
	Checked string   // the date the source was read (YYYY-MM-DD)
	Opens   string   // what the names let the bottle do beyond reading, in one line
}

// Count is the number of names the preset allows.
func (p Preset) Count() int { return len(p.Names) }

// All returns every preset, sorted by name; the slices are copies, so a
// caller cannot change what the next one sees.
func All() []Preset {
	out := make([]Preset, len(builtin))
	for i, p := range builtin {
		p.Names = slices.Clone(p.Names)
		out[i] = p
	}
	slices.SortFunc(out, func(a, b Preset) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Lookup returns the preset called name, with or without its leading @.
func Lookup(name string) (Preset, bool) {
	name = strings.TrimPrefix(name, "@")
	for _, p := range All() {
		if p.Name == name {
			return p, true
		}
	}
	return Preset{}, false
}

// Known is every preset's name with its @, sorted, comma-separated: for
// error messages that must list what exists.
func Known() string {
	all := All()
	names := make([]string, len(all))
	for i, p := range all {
		names[i] = "@" + p.Name
	}
	return strings.Join(names, ", ")
}
