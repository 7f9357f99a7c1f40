package image

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStaticRefusesADynamicBinary(t *testing.T) {
	if _, err := os.Stat("/bin/ls"); err != nil {
		t.Skip("no /bin/ls to test with")
	}
	if err := Static("/bin/ls"); err == nil || !strings.Contains(err.Error(), "CGO_ENABLED=0") {
		t.Errorf("Static(/bin/ls) = %v, want a refusal with the rebuild hint", err)
	}
	if err := Static(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing file passed")
	}
}

func TestContext(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "src")
	os.WriteFile(exe, []byte("binary"), 0o755)
	ctx := t.TempDir()
	if err := Context(ctx, exe); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(ctx, "rbm"))
	cf, _ := os.ReadFile(filepath.Join(ctx, "Containerfile"))
	if string(b) != "binary" || !strings.Contains(string(cf), "COPY rbm /usr/local/bin/rbm") {
		t.Errorf("context: rbm %q, Containerfile %q", b, cf)
	}
	if fi, _ := os.Stat(filepath.Join(ctx, "rbm")); fi.Mode().Perm()&0o111 == 0 {
		t.Error("rbm is not executable in the context")
	}
}
