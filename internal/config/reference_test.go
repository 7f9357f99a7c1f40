package config

import (
	"os"
	"strings"
	"testing"
)

func TestReadmeHasTheReference(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), Reference()) {
		t.Errorf("README.md's variable table differs from the code; paste `rbm config reference`:\n%s", Reference())
	}
}
