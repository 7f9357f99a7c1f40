package probe

import "fmt"

// MaxCount bounds every counted probe: a flood from a test must stay small
// enough to end by itself well inside its timeout.
const MaxCount = 20000

// count is s.Count, or def when unset; an error when out of range.
func count(s Spec, def int) (int, error) {
	switch {
	case s.Count == 0:
		return def, nil
	case s.Count < 0 || s.Count > MaxCount:
		return 0, fmt.Errorf("%s probe: count %d out of range 1-%d", s.Kind, s.Count, MaxCount)
	}
	return s.Count, nil
}
