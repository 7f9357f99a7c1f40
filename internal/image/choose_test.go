package image

import (
	"strings"
	"testing"
)

const rbmModule = "github.com/recipe-bottle/rbm"

func TestChoose(t *testing.T) {
	arm := Platform{"linux", "arm64"}
	for _, c := range []struct {
		name  string
		self  Self
		given string
		want  Choice
	}{
		{"--rbm wins", Self{Exe: "/x/rbm", GOOS: "linux", GOARCH: "arm64"}, "/y/rbm",
			Choice{Source: Given, Path: "/y/rbm"}},
		{"a Linux rbm of the engine's arch", Self{Exe: "/x/rbm", GOOS: "linux", GOARCH: "arm64", Module: rbmModule, Version: "v1.2.3"}, "",
			Choice{Source: Running, Path: "/x/rbm"}},
		{"a Linux rbm of another arch: built", Self{Exe: "/x/rbm", GOOS: "linux", GOARCH: "amd64", Module: rbmModule, Version: "v1.2.3"}, "",
			Choice{Source: FromCache, Module: rbmModule, Version: "v1.2.3"}},
		{"macOS, go install @v1.2.3", Self{Exe: "/x/rbm", GOOS: "darwin", GOARCH: "arm64", Module: rbmModule, Version: "v1.2.3"}, "",
			Choice{Source: FromCache, Module: rbmModule, Version: "v1.2.3"}},
		{"macOS, development build", Self{Exe: "/x/rbm", GOOS: "darwin", GOARCH: "arm64", Module: rbmModule, Version: "(devel)"}, "",
			Choice{Source: FromTree, Module: rbmModule}},
		{"macOS, go build in a git clone (Go 1.24 stamps a version)", Self{Exe: "/x/rbm", GOOS: "darwin", GOARCH: "arm64", Module: rbmModule,
			Version: "v0.0.0-20261205101010-0123456789ab+dirty", FromVCS: true}, "",
			Choice{Source: FromTree, Module: rbmModule}},
	} {
		got, err := Choose(c.self, arm, c.given)
		if err != nil || got != c.want {
			t.Errorf("%s: Choose = %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
}

func TestChooseWithoutModuleSaysWhatToDo(t *testing.T) {
	_, err := Choose(Self{GOOS: "darwin", GOARCH: "arm64"}, Platform{"linux", "amd64"}, "")
	if err == nil || !strings.Contains(err.Error(), "--rbm PATH") || !strings.Contains(err.Error(), "GOOS=linux GOARCH=amd64 CGO_ENABLED=0") {
		t.Fatalf("error %v, want --rbm and how to build one", err)
	}
}
