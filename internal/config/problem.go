package config

import (
	"fmt"
	"strings"
)

// Problem is one invalid value: which variable, what it held, what was expected.
type Problem struct {
	Var   string
	Value string
	Want  string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s=%q: %s", p.Var, p.Value, p.Want)
}

// Error lists every problem found; nothing is applied when it is returned.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = "  " + p.String()
	}
	return fmt.Sprintf("invalid configuration (%d problems):\n%s", len(e.Problems), strings.Join(lines, "\n"))
}
