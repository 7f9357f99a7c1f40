package verify

import (
	"context"
	"fmt"
	"path"
)

// ForwardCaseName is the closing case, which judges the whole run at once:
// the bottle's packets crossed the sentry's FORWARD chain.
const ForwardCaseName = "request/forward-chain-counted"

// Selection is the part of the battery to run: its cases, and whether the
// closing forward-chain case is among them.
type Selection struct {
	Cases []Case
	Total bool
}

// All selects the whole battery.
func All(cases []Case) Selection { return Selection{Cases: cases, Total: true} }

// Select keeps the cases whose name matches one of patterns (path.Match
// globs: "dns/*", "gate/no-sni"), in battery order. Every pattern must be
// well formed and match something, so a typo never runs an empty battery
// that "holds". No patterns selects everything.
func Select(cases []Case, patterns []string) (Selection, error) {
	if len(patterns) == 0 {
		return All(cases), nil
	}
	if err := CheckPatterns(patterns); err != nil {
		return Selection{}, err
	}
	var s Selection
	used := make([]bool, len(patterns))
	match := func(name string) bool {
		hit := false
		for i, p := range patterns {
			if ok, _ := path.Match(p, name); ok { // well formed: checked above
				used[i], hit = true, true
			}
		}
		return hit
	}
	for _, c := range cases {
		if match(c.Name) {
			s.Cases = append(s.Cases, c)
		}
	}
	s.Total = match(ForwardCaseName)
	for i, p := range patterns {
		if !used[i] {
			return Selection{}, fmt.Errorf("--case %q matches no case of this battery (rbm verify --cases lists them)", p)
		}
	}
	return s, nil
}

// CheckPatterns refuses a malformed --case pattern before anything runs.
func CheckPatterns(patterns []string) error {
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("--case %q: %w (want a glob such as 'dns/*' or a case name)", p, err)
		}
	}
	return nil
}

// RunSelection runs s as Run runs a whole battery; the closing
// forward-chain case only when s holds it.
func RunSelection(ctx context.Context, b Backend, s Selection, progress func(Result)) ([]Result, error) {
	return run(ctx, b, s.Cases, s.Total, progress)
}
