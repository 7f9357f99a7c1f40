package run

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/runtimes"
)

func TestEnsureSentryImage(t *testing.T) {
	rt, err := runtimes.For("podman")
	if err != nil {
		t.Fatal(err)
	}
	missing := &runner.ExitError{Err: errors.New("exit status 125"), Stderr: "Error: no such image"}
	for _, tc := range []struct {
		name      string
		image     string
		inspect   error
		buildErr  error
		wantBuild bool
		wantLine  bool
		wantErr   string
	}{
		{"present", "localhost/rbm-sentry:dev", nil, nil, false, false, ""},
		{"missing local", "localhost/rbm-sentry:dev", missing, nil, true, true, ""},
		{"missing from a registry: the preflight's to say", "ghcr.io/x/rbm-sentry:1", missing, nil, false, false, ""},
		{"no runtime: the preflight's to say", "localhost/rbm-sentry:dev", &exec.Error{Name: "podman", Err: exec.ErrNotFound}, nil, false, false, ""},
		{"build fails", "localhost/rbm-sentry:dev", missing, errors.New("podman build: exit status 1"),
			true, true, "RBRR_SENTRY_IMAGE=localhost/rbm-sentry:dev is missing and building it failed"},
	} {
		f := &runner.Fake{Respond: func(c runner.Cmd) ([]byte, error) { return nil, tc.inspect }}
		built := false
		var progress strings.Builder
		err := EnsureSentryImage(context.Background(), rt, f, tc.image, func(context.Context) error { built = true; return tc.buildErr }, &progress)
		if built != tc.wantBuild || (progress.Len() > 0) != tc.wantLine {
			t.Errorf("%s: built %v (want %v), progress %q", tc.name, built, tc.wantBuild, progress.String())
		}
		if tc.wantLine && strings.Count(progress.String(), "\n") != 1 {
			t.Errorf("%s: progress %q, want one line", tc.name, progress.String())
		}
		if (err == nil) != (tc.wantErr == "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.wantErr)
		}
		if got := f.Commands(); len(got) != 1 || got[0] != "podman image inspect --format '{{.Id}}' "+tc.image {
			t.Errorf("%s: commands %q", tc.name, got)
		}
	}
}
