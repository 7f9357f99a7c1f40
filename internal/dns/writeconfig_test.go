package dns

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteConfigReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dnsmasq.conf")
	for _, text := range []string{"first\n", "second\n"} {
		if err := WriteConfig(path, text); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != text {
			t.Fatalf("file holds %q (%v), want %q", got, err, text)
		}
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v (%v), want 0644", fi.Mode().Perm(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the config (temp file left behind?)", len(entries))
	}
}

func TestWriteConfigMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "dnsmasq.conf")
	if err := WriteConfig(path, "x\n"); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}
