package layers

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCheckFindsArrowsUp: the checker itself, on made-up graphs: an arrow
// up, peers of an apart floor, a package on no floor are each one line;
// arrows down, within a floor that is not apart, and into a package's own
// folder tree are fine.
func TestCheckFindsArrowsUp(t *testing.T) {
	for _, c := range []struct {
		name    string
		imports map[string][]string
		want    []string // substrings, one per line, in order
	}{
		{"down and sideways", map[string][]string{
			"cmd/rbm":                 {"internal/runtimes", "internal/verify", "internal/policy"},
			"internal/config":         {"internal/policy", "internal/hostname"},
			"internal/sentry":         {"internal/sentry/supervise", "internal/firewall/backends"},
			"internal/lab/labverify":  {"internal/lab", "internal/verify"},
			"internal/firewall/fake":  {"internal/firewall"},
			"internal/engine/anyname": {"internal/engine"},
		}, nil},
		{"arrow up", map[string][]string{"internal/verify": {"internal/lab/labverify", "internal/runtimes"}},
			[]string{"internal/verify (parts) imports internal/lab/labverify (implementations): an arrow up",
				"internal/verify (parts) imports internal/runtimes (assembly): an arrow up"}},
		{"peers", map[string][]string{"internal/verify": {"internal/lab"}, "internal/podman": {"internal/docker"}},
			[]string{"internal/podman imports internal/docker: peers on the apart floor implementations",
				"internal/verify imports internal/lab: peers on the apart floor parts"}},
		{"no floor", map[string][]string{"tools/x": {"internal/policy"}, "internal/policy": {"other/y"}},
			[]string{"internal/policy imports other/y, which stands on no floor", "tools/x stands on no floor"}},
	} {
		got := Check(c.imports)
		if len(got) != len(c.want) {
			t.Errorf("%s: %q, want %d lines", c.name, got, len(c.want))
			continue
		}
		for i, w := range c.want {
			if !strings.Contains(got[i], w) {
				t.Errorf("%s: line %d %q, want %q", c.name, i, got[i], w)
			}
		}
	}
}

// TestFoldersFindsCycles: the two arrows engine/runtimes had (engine's
// folder -> podman -> engine) are a cycle; packages inside one folder are not.
func TestFoldersFindsCycles(t *testing.T) {
	got := Folders(map[string][]string{
		"internal/engine/runtimes": {"internal/podman", "internal/engine"},
		"internal/podman":          {"internal/engine"},
	})
	if want := []string{"internal/engine -> internal/podman -> internal/engine"}; !slices.Equal(got, want) {
		t.Errorf("Folders = %q, want %q (once)", got, want)
	}
	if got := Folders(map[string][]string{"internal/lab/labverify": {"internal/lab", "internal/verify"}}); got != nil {
		t.Errorf("Folders = %q, want none", got)
	}
}

// TestModuleLayers holds rbm's own imports (go list, non-test code, as
// built for Linux and for macOS) against Layers: no arrow up, no peers of an
// apart floor, every package on a floor, no folder importing a folder that
// imports it back.
func TestModuleLayers(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("needs the go tool in PATH")
	}
	for _, goos := range []string{"linux", "darwin"} {
		imports := moduleImports(t, goTool, goos)
		if len(imports) < 30 {
			t.Fatalf("GOOS=%s: go list found %d packages", goos, len(imports))
		}
		for _, line := range Check(imports) {
			t.Errorf("GOOS=%s: %s", goos, line)
		}
		for _, c := range Folders(imports) {
			t.Errorf("GOOS=%s: folders import each other: %s", goos, c)
		}
	}
}

// moduleImports runs go list over the module and returns each package's
// imports of the module, paths below Module.
func moduleImports(t *testing.T, goTool, goos string) map[string][]string {
	t.Helper()
	cmd := exec.Command(goTool, "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...")
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "GOOS="+goos)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("GOOS=%s go list: %v", goos, err)
	}
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		from, ok := strings.CutPrefix(f[0], Module+"/")
		if !ok {
			t.Fatalf("go list: %q is outside %s", f[0], Module)
		}
		imports[from] = []string{}
		for _, to := range f[1:] {
			if p, ok := strings.CutPrefix(to, Module+"/"); ok {
				imports[from] = append(imports[from], p)
			}
		}
	}
	return imports
}
