package image

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/runner"
)

var arm = Platform{"linux", "arm64"}

func TestBuildFromTheModuleCache(t *testing.T) {
	f := &runner.Fake{Respond: func(c runner.Cmd) ([]byte, error) {
		if c.Name == "go" {
			return []byte(`{"Path":"` + rbmModule + `","Version":"v1.2.3","Dir":"/cache/rbm@v1.2.3"}`), nil
		}
		return nil, nil
	}}
	c := Choice{Source: FromCache, Module: rbmModule, Version: "v1.2.3"}
	if err := Build(context.Background(), f, c, "/src", arm, "/scratch/rbm"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"go mod download -json " + rbmModule + "@v1.2.3",
		"env GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -C /cache/rbm@v1.2.3 -o /scratch/rbm ./cmd/rbm",
	}
	if got := f.Commands(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("commands:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestBuildRefuses(t *testing.T) {
	notFound := func(runner.Cmd) ([]byte, error) {
		return []byte(`{"Error":"` + rbmModule + `@v9.9.9: not found"}`), errors.New("exit status 1")
	}
	other := func(runner.Cmd) ([]byte, error) { return []byte("example.com/other\n"), nil }
	for _, c := range []struct {
		name    string
		choice  Choice
		respond func(runner.Cmd) ([]byte, error)
		want    string
	}{
		{"unknown version", Choice{Source: FromCache, Module: rbmModule, Version: "v9.9.9"}, notFound, "v9.9.9: not found"},
		{"a flag as version", Choice{Source: FromCache, Module: rbmModule, Version: "-exec=x"}, nil, `version "-exec=x": expected a version`},
		{"a flag as module", Choice{Source: FromCache, Module: "-x", Version: "v1.0.0"}, nil, `module path "-x"`},
		{"outside the source tree", Choice{Source: FromTree, Module: rbmModule}, other, "run rbm image build inside its source tree"},
	} {
		f := &runner.Fake{Respond: c.respond}
		err := Build(context.Background(), f, c.choice, "/elsewhere", arm, "/scratch/rbm")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
		for _, cmd := range f.Commands() {
			if strings.Contains(cmd, "go build") {
				t.Errorf("%s: built anyway: %s", c.name, cmd)
			}
		}
	}
}

func TestBuildWithoutGoSaysWhatToDo(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := Build(context.Background(), &runner.Fake{}, Choice{Source: FromTree, Module: rbmModule}, "/src", arm, "/scratch/rbm")
	if err == nil || !strings.Contains(err.Error(), "install Go, or give a Linux rbm with --rbm PATH") {
		t.Fatalf("error %v", err)
	}
}
