package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// EnsureSentryImage builds the sentry image with build when rt has no
// image of that name, saying so in one line to progress: a first
// `rbm run` needs no `rbm image build` before it. Only a local name
// (localhost/...) is built: one from a registry is the preflight's to
// report (pull it), as a build would shadow it with a different image.
func EnsureSentryImage(ctx context.Context, rt engine.Runtime, r runner.Runner, image string, build func(context.Context) error, progress io.Writer) error {
	_, err := r.Run(ctx, engine.Cmd(rt, "image", "inspect", "--format", "{{.Id}}", image))
	var ee *runner.ExitError
	switch {
	case err == nil, runner.IsNotFound(err): // no runtime: the preflight says so
		return nil
	case !errors.As(err, &ee):
		return fmt.Errorf("look for the sentry image %s: %w", image, err)
	case !strings.HasPrefix(image, "localhost/"):
		return nil
	}
	fmt.Fprintf(progress, "rbm run: building the sentry image %s (rbm image build; once, a minute or two)\n", image)
	if err := build(ctx); err != nil {
		return fmt.Errorf("RBRR_SENTRY_IMAGE=%s is missing and building it failed (run `rbm image build --tag %s` to see why): %w", image, image, err)
	}
	return nil
}
