package config

import (
	"strings"
	"testing"
)

func TestParseEnvFile(t *testing.T) {
	text := "# comment\n\nA=1\nexport B=two words # trailing\nC=\"quoted # not a comment\"\nD='single'\nE=\nF=a=b\r\n"
	got, err := ParseEnvFile("f.env", text)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "1", "B": "two words", "C": "quoted # not a comment", "D": "single", "E": "", "F": "a=b"}
	for k, v := range want {
		if got[k].Value != v {
			t.Errorf("%s = %q, want %q", k, got[k].Value, v)
		}
	}
	if got["D"].Origin != "f.env:6" {
		t.Errorf("origin = %q", got["D"].Origin)
	}
}

func TestParseEnvFileErrors(t *testing.T) {
	for _, text := range []string{"no equals sign", "1BAD=x", "A=\"open", "A='x' junk", "A B=c", "A='x'#y", "A='a'b'", "A=\"$(id)\"", "A=\"`id`\"", "A=\"a\\b\""} {
		_, err := ParseEnvFile("bad.env", text)
		if err == nil || !strings.Contains(err.Error(), "bad.env:1") {
			t.Errorf("%q: want an error naming bad.env:1, got %v", text, err)
		}
	}
}
