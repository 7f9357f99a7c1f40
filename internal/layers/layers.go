// Package layers writes down rbm's intended layering: which floor each
// package stands on, and which floors it may import from. Its test holds
// the module's real imports (go list) against it, so an arrow up fails the
// build's tests instead of being found in review.
package layers

import "strings"

// Module is the module path every package of rbm starts with.
const Module = "github.com/recipe-bottle/rbm"

// Layer is one floor: its packages import only packages on lower floors
// or on their own. Apart floors hold peers that import none of each other
// (except inside one folder tree: engine/serviceverify uses engine).
type Layer struct {
	Name     string
	Why      string
	Apart    bool
	Packages []string // paths below Module; a package not listed stands on its folder's floor
}

// Layers are the floors from the bottom up.
var Layers = []Layer{
	{Name: "values", Why: "plain values and their parsers: nothing here runs a program",
		Packages: []string{"internal/safetext", "internal/hostname", "internal/policy", "internal/presets",
			"internal/hostaddr", "internal/httphead", "internal/clienthello", "internal/resolvconf",
			"internal/config", "internal/events", "internal/enginehost", "internal/golden", "internal/layers",
			"internal/sysctls"}},
	{Name: "seams", Why: "the kernel and the programs rbm drives, each behind one package",
		Packages: []string{"internal/runner", "internal/firewall", "internal/netinit", "internal/dns",
			"internal/dnsguard", "internal/denials", "internal/gate", "internal/capture", "internal/probe",
			"internal/testns", "internal/runtest", "internal/image", "internal/standin", "internal/subnet", "internal/supervise"}},
	{Name: "parts", Why: "the sentry, the runtime seam, the battery, the lab and the report, knowing nothing of each other",
		Apart:    true,
		Packages: []string{"internal/sentry", "internal/engine", "internal/verify", "internal/lab", "internal/suggest"}},
	{Name: "implementations", Why: "a part's interface made real: engine.Runtime (Podman, Docker), verify.Backend (a service, the lab)",
		Apart:    true,
		Packages: []string{"internal/podman", "internal/docker", "internal/engine/serviceverify", "internal/lab/labverify"}},
	{Name: "assembly", Why: "what picks or combines implementations: the runtime registry, rbm run",
		Apart:    true,
		Packages: []string{"internal/runtimes", "internal/run"}},
	{Name: "cmd", Why: "the programs: the CLI (wiring only), and the helpers of scripts/",
		Packages: []string{"cmd/rbm", "scripts"}},
}

// Of returns the floor (an index into Layers) of the package at path (below
// Module): the floor of the longest listed path that is path or a folder
// above it; false when none is.
func Of(path string) (int, bool) {
	best, floor := "", -1
	for i, l := range Layers {
		for _, p := range l.Packages {
			if Within(path, p) && len(p) > len(best) {
				best, floor = p, i
			}
		}
	}
	return floor, floor >= 0
}

// Within reports whether path is dir or lies below it.
func Within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}
