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

func TestBuildCmdPerRuntime(t *testing.T) {
	p := BuildCmd("podman", "/ctx", "localhost/s:1", "localhost/b:1").String()
	d := BuildCmd("docker", "/ctx", "localhost/s:1", "localhost/b:1").String()
	if !strings.HasPrefix(p, "podman build --pull=missing --build-arg BASE=localhost/b:1 ") || !strings.HasSuffix(p, "-t localhost/s:1 /ctx") {
		t.Errorf("podman: %s", p)
	}
	if !strings.HasPrefix(d, "docker build --build-arg BASE=localhost/b:1 ") || strings.Contains(d, "--pull") {
		t.Errorf("docker: %s (docker build uses a local base by itself; --pull would force a registry)", d)
	}
}
