package image

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// Module paths and versions come from the binary's build information;
// they are checked before they reach go's command line.
var (
	modulePath    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~/-]{0,199}$`)
	moduleVersion = regexp.MustCompile(`^v[0-9][0-9A-Za-z.+-]{0,99}$`)
)

// Build makes a Linux rbm for eng at out (an absolute path) with the
// local Go toolchain, as c says: from c.Module@c.Version in the module
// cache (go mod download fetches it if it is not there), or from the
// source tree at tree, which must be c.Module's.
func Build(ctx context.Context, r runner.Runner, c Choice, tree string, eng Platform, out string) error {
	if _, err := exec.LookPath("go"); err != nil {
		return fmt.Errorf("this rbm is not a Linux rbm for the engine (%s) and there is no Go toolchain to build one (%w): install Go, or give a Linux rbm with --rbm PATH (built with %s)",
			eng, err, BuildHint(eng))
	}
	if !modulePath.MatchString(c.Module) {
		return fmt.Errorf("rbm's module path %q: expected a Go module path", c.Module)
	}
	dir, err := sourceDir(ctx, r, c, tree)
	if err != nil {
		return err
	}
	if _, err := r.Run(ctx, CrossCmd(dir, eng, out)); err != nil {
		return fmt.Errorf("build a Linux rbm for %s: %w", eng, err)
	}
	return nil
}

// CrossCmd builds ./cmd/rbm of the module at dir for eng into out.
func CrossCmd(dir string, eng Platform, out string) runner.Cmd {
	return runner.Cmd{Name: "env", Args: []string{"GOOS=linux", "GOARCH=" + eng.Arch, "CGO_ENABLED=0",
		"go", "build", "-C", dir, "-o", out, "./cmd/rbm"}}
}

// sourceDir is the module's source to build from.
func sourceDir(ctx context.Context, r runner.Runner, c Choice, tree string) (string, error) {
	if c.Source == FromTree {
		out, err := r.Run(ctx, runner.Cmd{Name: "go", Args: []string{"-C", tree, "list", "-m"}})
		if err != nil || !slices.Contains(strings.Fields(string(out)), c.Module) {
			return "", fmt.Errorf("this rbm is a development build: run rbm image build inside its source tree (module %s; %s is not), or give a Linux rbm with --rbm PATH",
				c.Module, tree)
		}
		return tree, nil
	}
	if !moduleVersion.MatchString(c.Version) {
		return "", fmt.Errorf("rbm's module version %q: expected a version such as v1.2.3", c.Version)
	}
	out, err := r.Run(ctx, runner.Cmd{Name: "go", Args: []string{"mod", "download", "-json", c.Module + "@" + c.Version}})
	var dl struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &dl); jerr != nil || dl.Dir == "" {
		return "", fmt.Errorf("fetch %s@%s into the module cache: %s", c.Module, c.Version, firstOf(dl.Error, err, jerr))
	}
	return dl.Dir, nil
}

// firstOf is the first of the reasons that says something.
func firstOf(msg string, errs ...error) string {
	if msg != "" {
		return msg
	}
	for _, e := range errs {
		if e != nil {
			return e.Error()
		}
	}
	return "go mod download named no directory"
}
