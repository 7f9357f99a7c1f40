package layers

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Check returns one line per import that breaks the layering in imports
// (package -> its imports, paths below Module; other imports are ignored):
// a package on no floor, an arrow to a higher floor, an arrow between
// peers of an apart floor. Pure: the test feeds it go list's output.
func Check(imports map[string][]string) []string {
	var bad []string
	for _, from := range slices.Sorted(maps.Keys(imports)) {
		ff, ok := Of(from)
		if !ok {
			bad = append(bad, fmt.Sprintf("%s stands on no floor: add it to a Layer in internal/layers", from))
			continue
		}
		for _, to := range imports[from] {
			tf, ok := Of(to)
			switch {
			case !ok:
				bad = append(bad, fmt.Sprintf("%s imports %s, which stands on no floor", from, to))
			case tf > ff:
				bad = append(bad, fmt.Sprintf("%s (%s) imports %s (%s): an arrow up", from, Layers[ff].Name, to, Layers[tf].Name))
			case tf == ff && Layers[ff].Apart && !Within(to, from) && !Within(from, to):
				bad = append(bad, fmt.Sprintf("%s imports %s: peers on the apart floor %s", from, to, Layers[ff].Name))
			}
		}
	}
	return bad
}

// Folders returns the cycles between top folders (internal/X, cmd/X) in
// imports, each as "a -> b -> ... -> a": a folder importing a folder that
// imports it back, whatever the packages inside.
func Folders(imports map[string][]string) []string {
	edges := map[string][]string{}
	for from, tos := range imports {
		for _, to := range tos {
			a, b := top(from), top(to)
			if a != b && !slices.Contains(edges[a], b) {
				edges[a] = append(edges[a], b)
			}
		}
	}
	var cycles []string
	for _, start := range slices.Sorted(maps.Keys(edges)) {
		if path := cycleFrom(edges, start); path != nil {
			if c := strings.Join(canonical(path), " -> "); !slices.Contains(cycles, c) {
				cycles = append(cycles, c)
			}
		}
	}
	return cycles
}

// canonical turns a cycle (first == last) to start at its least folder,
// so one cycle found from each of its folders is reported once.
func canonical(path []string) []string {
	ring := path[:len(path)-1]
	i := slices.Index(ring, slices.Min(ring))
	out := append(slices.Clone(ring[i:]), ring[:i]...)
	return append(out, out[0])
}

// cycleFrom returns a path from start back to start, or nil.
func cycleFrom(edges map[string][]string, start string) []string {
	seen := map[string]bool{}
	var walk func(at string, path []string) []string
	walk = func(at string, path []string) []string {
		for _, next := range edges[at] {
			if next == start {
				return append(path, next)
			}
			if !seen[next] {
				seen[next] = true
				if p := walk(next, append(path, next)); p != nil {
					return p
				}
			}
		}
		return nil
	}
	return walk(start, []string{start})
}

// top is the folder a package stands in: its first two path elements.
func top(path string) string {
	if f := strings.SplitN(path, "/", 3); len(f) >= 2 {
		return f[0] + "/" + f[1]
	}
	return path
}
