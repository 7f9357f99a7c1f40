package events

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/safetext"
)

// Summary is a short account of recent refusals, for rbm status.
type Summary struct {
	Denied     int            // denied connections reported
	ByTarget   map[string]int // "198.51.100.99:443 (name)" -> count
	Refused    int            // DNS queries answered "not allowed"
	ByName     map[string]int
	Suppressed uint64 // denials counted but not reported (rate limit)
	Upstream   int    // queries the upstream resolver did not answer
}

// Summarize counts the refusals among evs.
func Summarize(evs []Event) Summary {
	s := Summary{ByTarget: map[string]int{}, ByName: map[string]int{}}
	for _, e := range evs {
		switch {
		case e.Kind == Deny:
			s.Denied += e.Times()
			t := safetext.Word(e.Dst) // from the sentry, but escaped like the name
			if e.Port != 0 {
				t = fmt.Sprintf("%s:%d", t, e.Port)
			}
			if e.Name != "" {
				t += " (" + safetext.Word(e.Name) + ")"
			}
			s.ByTarget[t] += e.Times()
		case e.Kind == DNS && e.Verdict == NotAllowed:
			s.Refused += e.Times()
			s.ByName[safetext.Word(e.Name)] += e.Times()
		case e.Kind == DNS && e.Verdict == UpstreamFailed:
			s.Upstream++
		case e.Kind == Suppressed:
			s.Suppressed += e.Count
		}
	}
	return s
}

// String is one or two lines: what was refused most, with counts.
func (s Summary) String() string {
	if s.Denied == 0 && s.Refused == 0 && s.Suppressed == 0 && s.Upstream == 0 {
		return "nothing refused"
	}
	var parts []string
	if s.Denied > 0 {
		parts = append(parts, fmt.Sprintf("%d denied connections (%s)", s.Denied, top(s.ByTarget, 3)))
	}
	if s.Suppressed > 0 {
		parts = append(parts, fmt.Sprintf("%d more denials counted, not logged", s.Suppressed))
	}
	if s.Refused > 0 {
		parts = append(parts, fmt.Sprintf("%d names not allowed (%s)", s.Refused, top(s.ByName, 3)))
	}
	if s.Upstream > 0 {
		parts = append(parts, fmt.Sprintf("%d queries the upstream resolver did not answer", s.Upstream))
	}
	return strings.Join(parts, "; ")
}

// top lists the n most frequent keys, "key xN", most frequent first.
func top(m map[string]int, n int) string {
	keys := slices.SortedFunc(maps.Keys(m), func(a, b string) int { return cmp.Or(m[b]-m[a], strings.Compare(a, b)) })
	var out []string
	for i, k := range keys {
		if i == n {
			out = append(out, fmt.Sprintf("and %d more", len(keys)-n))
			break
		}
		out = append(out, fmt.Sprintf("%s x%d", k, m[k]))
	}
	return strings.Join(out, ", ")
}
