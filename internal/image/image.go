// Package image builds the sentry's container image around a static Linux
// rbm of the engine's architecture (the running binary, one given, or one
// built with the local Go toolchain: Binary): the Containerfile lives here,
// embedded, so `rbm image build` and scripts/build-images.sh build the
// same thing.
package image

import (
	"debug/elf"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// Containerfile is the sentry image's recipe (its build context holds
// only the rbm binary).
//
//go:embed Containerfile
var Containerfile string

// DefaultBase is the image the sentry is built on when none is named.
const DefaultBase = "docker.io/library/debian:bookworm-slim"

// Static refuses a binary that needs a dynamic loader: the image's libc
// may not be the host's. A Go binary built with CGO_ENABLED=0 is static.
func Static(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked: the sentry image needs a static rbm; rebuild it with CGO_ENABLED=0 go install github.com/recipe-bottle/rbm/cmd/rbm@latest", path)
		}
	}
	return nil
}

// Context writes a build context (the binary at exe and the Containerfile)
// into dir.
func Context(dir, exe string) error {
	if err := os.WriteFile(filepath.Join(dir, "Containerfile"), []byte(Containerfile), 0o644); err != nil {
		return err
	}
	src, err := os.Open(exe)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(filepath.Join(dir, "rbm"), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, src)
	return errors.Join(err, dst.Close())
}

// BuildCmd builds the sentry image tag from the context dir on base with
// cli (podman or docker), pulling base only when it is not present:
// Podman's default is to check the registry, Docker's to use a local one.
func BuildCmd(cli, dir, tag, base string) runner.Cmd {
	args := append([]string{"build"}, pullFlags[cli]...)
	args = append(args, "--build-arg", "BASE="+base,
		"--label", "rbm.image=sentry", "-f", filepath.Join(dir, "Containerfile"), "-t", tag, dir)
	return runner.Cmd{Name: cli, Args: args}
}

var pullFlags = map[string][]string{"podman": {"--pull=missing"}}
