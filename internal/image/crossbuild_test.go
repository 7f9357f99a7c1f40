package image

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// TestBinaryBuildsForEitherEngineFromMacOS forces the path a Mac takes:
// the running rbm is a darwin development build, so Binary builds a Linux
// rbm for the engine's architecture from this source tree with the local
// Go toolchain, and checks it. No image is built: one for a foreign
// architecture would need emulation.
func TestBinaryBuildsForEitherEngineFromMacOS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds rbm twice")
	}
	tree, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	mac := Self{Exe: "/Users/u/go/bin/rbm", GOOS: "darwin", GOARCH: "arm64", Module: rbmModule, Version: "(devel)"}
	for _, arch := range []string{"amd64", "arm64"} {
		eng := Platform{"linux", arch}
		bin, err := Binary(context.Background(), runner.Exec{}, mac, eng, "", tree, t.TempDir())
		if err != nil {
			t.Fatalf("%s: %v", arch, err)
		}
		other := Platform{"linux", map[string]string{"amd64": "arm64", "arm64": "amd64"}[arch]}
		if err := CheckLinux(bin, other); err == nil || !strings.Contains(err.Error(), "but the engine runs "+other.String()) {
			t.Errorf("%s binary passed as %s: %v", arch, other, err)
		}
	}
}

func TestCheckLinuxRefusesAMacBinary(t *testing.T) {
	macho := filepath.Join(t.TempDir(), "rbm")
	os.WriteFile(macho, []byte("\xcf\xfa\xed\xfe\x0c\x00\x00\x01"), 0o755) // a Mach-O arm64 header
	err := CheckLinux(macho, arm)
	if err == nil || !strings.Contains(err.Error(), "is not a Linux binary (ELF)") || !strings.Contains(err.Error(), "GOOS=linux GOARCH=arm64") {
		t.Fatalf("error %v", err)
	}
}

func TestBinaryChecksWhatItIsGiven(t *testing.T) {
	_, err := Binary(context.Background(), &runner.Fake{}, Self{GOOS: "darwin"}, arm, "/bin/ls", "/src", t.TempDir())
	if err == nil || !strings.HasPrefix(err.Error(), "--rbm: /bin/ls") {
		t.Fatalf("error %v, want --rbm's check (/bin/ls is dynamic or of another arch)", err)
	}
}
