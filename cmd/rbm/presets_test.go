package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func runPresets(args ...string) (string, error) {
	cmd := newPresetsCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

func TestPresetsExpandsNamesWithOrWithoutAt(t *testing.T) {
	out, err := runPresets("@go", "npm")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			names = append(names, l)
		}
	}
	if got := strings.Join(names, " "); got != "proxy.golang.org sum.golang.org registry.npmjs.org" {
		t.Errorf("names = %q\n%s", got, out)
	}
}

func TestPresetsUnknownExitsTwo(t *testing.T) {
	_, err := runPresets("github", "nosuch")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), "@docker-hub") {
		t.Errorf("got %v, want exit status 2 listing the presets", err)
	}
}
