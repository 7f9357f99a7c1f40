package image

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// EnginePlatform asks cli (podman or docker) what its containers run on.
func EnginePlatform(ctx context.Context, r runner.Runner, cli string) (Platform, error) {
	out, err := r.Run(ctx, InfoCmd(cli))
	if err != nil {
		return Platform{}, fmt.Errorf("%s info: %w", cli, err)
	}
	return ParsePlatform(cli, out)
}

// Binary returns the path of a checked Linux rbm for eng to put into the
// image, as Choose decides: given, the running binary, or one built into
// scratch (a directory of the caller's, not the build context). tree is
// where a development build looks for its source.
func Binary(ctx context.Context, r runner.Runner, s Self, eng Platform, given, tree, scratch string) (string, error) {
	c, err := Choose(s, eng, given)
	if err != nil {
		return "", err
	}
	path := c.Path
	if c.Source == FromCache || c.Source == FromTree {
		path = filepath.Join(scratch, "rbm-linux-"+eng.Arch)
		if err := Build(ctx, r, c, tree, eng, path); err != nil {
			return "", err
		}
	}
	if err := CheckLinux(path, eng); err != nil {
		if c.Source == Given {
			return "", fmt.Errorf("--rbm: %w", err)
		}
		return "", err
	}
	return path, nil
}

// Current describes the running rbm.
func Current() (Self, error) {
	exe, err := os.Executable()
	if err != nil {
		return Self{}, fmt.Errorf("find the running rbm: %w", err)
	}
	s := Self{Exe: exe, GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}
	// For tests only: the path a Mac takes, taken on Linux (the Podman
	// test of a cross-built image).
	if os.Getenv("RBM_TEST_IMAGE_GOOS") == "darwin" {
		s.GOOS = "darwin"
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		s.Module, s.Version = bi.Main.Path, bi.Main.Version
		s.FromVCS = slices.ContainsFunc(bi.Settings, func(b debug.BuildSetting) bool { return b.Key == "vcs" })
	}
	return s, nil
}
