package presets

import (
	"os"
	"strings"
	"testing"
)

func TestReadmeHasTheTable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if want := Markdown(All()); !strings.Contains(string(readme), want) {
		t.Errorf("README.md's table of presets differs from the code; paste `rbm presets --markdown`:\n%s", want)
	}
}

// TestDocsNameEverything: docs/presets.md gives every preset's names,
// source, date and note, so it cannot fall behind a change here.
func TestDocsNameEverything(t *testing.T) {
	doc, err := os.ReadFile("../../docs/presets.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range All() {
		for _, want := range append([]string{"## @" + p.Name, p.Source, p.Checked, p.Opens}, p.Names...) {
			if !strings.Contains(string(doc), want) {
				t.Errorf("docs/presets.md lacks %q (@%s)", want, p.Name)
			}
		}
	}
}
