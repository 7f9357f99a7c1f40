package config

import (
	"fmt"
	"sort"
	"strings"
)

// unknownWarnings warns about RBRR_/RBRN_ names rbm does not know, with the
// closest known name: a typo such as RBRN_UPLINK_ALLOWED_CIDR must not
// silently mean "no CIDRs".
func unknownWarnings(settings map[string]Setting) []string {
	var out []string
	for name, s := range settings {
		if _, ok := Lookup(name); ok || !isOurs(name) {
			continue
		}
		w := fmt.Sprintf("unknown variable %s (from %s) is ignored", name, s.Origin)
		if best := closest(name); best != "" {
			w += fmt.Sprintf("; did you mean %s?", best)
		}
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

func isOurs(name string) bool {
	return strings.HasPrefix(name, "RBRR_") || strings.HasPrefix(name, "RBRN_")
}

func closest(name string) string {
	best, bestD := "", len(name)/2+1
	for _, v := range Vars {
		if d := distance(name, v.Name); d < bestD {
			best, bestD = v.Name, d
		}
	}
	return best
}

// distance is the Levenshtein edit distance.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
