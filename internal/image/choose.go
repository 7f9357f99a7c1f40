package image

import "fmt"

// Self describes the running rbm: where it is, what it was built for and
// from which module version (runtime/debug.ReadBuildInfo).
type Self struct {
	Exe          string
	GOOS, GOARCH string
	// Module is the main module's path; Version is "(devel)" or empty for
	// a build from a source tree, a version for `go install ...@v`.
	Module, Version string
	// FromVCS: built in a version-controlled source tree. Since Go 1.24
	// such a build carries a version too (v0.0.0-<date>-<commit>+dirty),
	// which need not exist anywhere else.
	FromVCS bool
}

// Source is where the image's rbm comes from.
type Source int

// Sources of the image's rbm, in the order Choose prefers them.
const (
	Given     Source = iota // --rbm PATH
	Running                 // the running binary: Linux of the engine's arch
	FromCache               // built from Module@Version in the module cache
	FromTree                // built from the source tree in the working directory
)

// Choice is Choose's answer: Path for Given and Running, Module and
// Version for the builds.
type Choice struct {
	Source          Source
	Path            string
	Module, Version string
}

// Choose decides where the image's rbm comes from for an engine running
// eng, without side effects. given (--rbm) wins; then the running binary
// when it is a Linux one of eng's architecture; else a Linux rbm is built
// with the local Go toolchain from the version rbm was installed from, or
// from the source tree of a development build.
func Choose(s Self, eng Platform, given string) (Choice, error) {
	switch {
	case given != "":
		return Choice{Source: Given, Path: given}, nil
	case s.GOOS == eng.OS && s.GOARCH == eng.Arch:
		return Choice{Source: Running, Path: s.Exe}, nil
	case s.Module == "":
		return Choice{}, fmt.Errorf("this rbm is a %s/%s binary without module information and the engine runs %s: give a Linux rbm with --rbm PATH (built with %s)",
			s.GOOS, s.GOARCH, eng, BuildHint(eng))
	case s.FromVCS || s.Version == "" || s.Version == "(devel)":
		return Choice{Source: FromTree, Module: s.Module}, nil
	}
	return Choice{Source: FromCache, Module: s.Module, Version: s.Version}, nil
}

// BuildHint is the command line that builds a Linux rbm for eng.
func BuildHint(eng Platform) string {
	return fmt.Sprintf("GOOS=linux GOARCH=%s CGO_ENABLED=0 go build ./cmd/rbm", eng.Arch)
}
