package presets

import (
	"testing"

	"github.com/recipe-bottle/rbm/internal/golden"
)

func TestRenderListGolden(t *testing.T) {
	golden.Check(t, "list.txt", RenderList(All()))
}

func TestRenderExpandGolden(t *testing.T) {
	gh, _ := Lookup("github")
	gomod, _ := Lookup("go")
	golden.Check(t, "expand-github-go.txt", RenderExpand([]Preset{gh, gomod}))
}

func TestArrow(t *testing.T) {
	p := Preset{Name: "x", Names: []string{"a.example.test", "b.example.test"}}
	if got, want := Arrow(p), "@x → a.example.test, b.example.test"; got != want {
		t.Errorf("Arrow = %q, want %q", got, want)
	}
}
