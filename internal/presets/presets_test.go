package presets

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/publicsuffix"
)

// required are the presets issue #24 asks for; more may be added.
var required = []string{"anthropic", "openai", "github", "npm", "pypi", "go", "crates", "debian", "ubuntu", "docker-hub"}

func TestRequiredPresetsExist(t *testing.T) {
	for _, name := range required {
		if _, ok := Lookup(name); !ok {
			t.Errorf("preset %q is missing", name)
		}
		if _, ok := Lookup("@" + name); !ok {
			t.Errorf("Lookup(@%s) failed: the leading @ must be accepted", name)
		}
	}
	if _, ok := Lookup("nosuch"); ok {
		t.Error("Lookup(nosuch) found a preset")
	}
}

// TestNoPublicSuffix: no entry is a public suffix, and no wildcard opens
// every name under one (a "*.githubusercontent.com" would open every
// user's content host, which the public suffix list names as a suffix).
func TestNoPublicSuffix(t *testing.T) {
	for _, p := range All() {
		for _, n := range p.Names {
			if wholeSuffix(n) {
				t.Errorf("@%s: %s is a public suffix as a whole", p.Name, n)
			}
		}
	}
}

// TestWholeSuffixHasTeeth: the check above catches ICANN and private
// suffixes, plain or as a wildcard, and passes a host under one.
func TestWholeSuffixHasTeeth(t *testing.T) {
	for n, want := range map[string]bool{
		"com": true, "co.uk": true, "githubusercontent.com": true, "*.githubusercontent.com": true,
		"github.io": true, "raw.githubusercontent.com": false, "github.com": false, "*.example.com": false,
	} {
		if got := wholeSuffix(n); got != want {
			t.Errorf("wholeSuffix(%q) = %v, want %v", n, got, want)
		}
	}
}

// wholeSuffix reports whether entry n (a name or "*.d") covers a public
// suffix as a whole: the name itself is on the list, so it has no
// registrable domain of its own.
func wholeSuffix(n string) bool {
	base := strings.TrimPrefix(n, "*.")
	suffix, _ := publicsuffix.PublicSuffix(base)
	_, err := publicsuffix.EffectiveTLDPlusOne(base)
	return suffix == base || err != nil
}

var nameRE = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// TestWellFormed: every preset is complete, its names are lowercase DNS
// names without duplicates, and its line fits a terminal's column.
func TestWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range All() {
		if seen[p.Name] || !regexp.MustCompile(`^[a-z][a-z0-9-]*$`).MatchString(p.Name) {
			t.Errorf("preset name %q is duplicated or malformed", p.Name)
		}
		seen[p.Name] = true
		if !strings.HasPrefix(p.Source, "https://") || p.Opens == "" || strings.Contains(p.Opens, "\n") {
			t.Errorf("@%s: source %q or note %q is missing or malformed", p.Name, p.Source, p.Opens)
		}
		if _, err := time.Parse("2006-01-02", p.Checked); err != nil {
			t.Errorf("@%s: checked date %q: %v", p.Name, p.Checked, err)
		}
		names := map[string]bool{}
		for _, n := range p.Names {
			if !nameRE.MatchString(n) || names[n] {
				t.Errorf("@%s: name %q is malformed or duplicated", p.Name, n)
			}
			names[n] = true
		}
		if len(p.Names) == 0 {
			t.Errorf("@%s allows no name", p.Name)
		}
	}
}

// TestAllReturnsCopies: a caller changing what All returned does not
// change the next caller's presets.
func TestAllReturnsCopies(t *testing.T) {
	All()[0].Names[0] = "changed.test"
	if All()[0].Names[0] == "changed.test" {
		t.Fatal("All shares its slices with callers")
	}
}

func TestKnownListsEveryPreset(t *testing.T) {
	k := Known()
	for _, name := range required {
		if !strings.Contains(k, "@"+name) {
			t.Errorf("Known() = %q lacks @%s", k, name)
		}
	}
}
