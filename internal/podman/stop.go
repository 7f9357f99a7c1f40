package podman

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// Stop removes every object of the service called moniker: whatever carries
// its label, which is exactly what Start created, also after a half-failed
// start. Missing objects are fine. The pod goes first, so the bottle is gone
// before its sentry.
func Stop(ctx context.Context, r runner.Runner, moniker string, out io.Writer) error {
	if out == nil {
		out = io.Discard
	}
	n := NamesFor(moniker)
	filter := "label=" + n.Label()
	var errs []error
	removed := 0
	for _, kind := range []struct {
		list, remove []string
	}{
		{[]string{"pod", "ps", "--filter", filter, "--format", "{{.Name}}"}, []string{"pod", "rm", "-f", "--ignore", "-t", stopSeconds}},
		{[]string{"ps", "-a", "--filter", filter, "--format", "{{.Names}}"}, []string{"rm", "-f", "--ignore", "-t", stopSeconds}},
		{[]string{"network", "ls", "--filter", filter, "--format", "{{.Name}}"}, []string{"network", "rm", "-f"}},
	} {
		k, err := removeListed(ctx, r, kind.list, kind.remove, out)
		removed += k
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("stop %s: %w", moniker, err)
	}
	if removed == 0 {
		fmt.Fprintf(out, "nothing to remove: no Podman object is labelled %s\n", n.Label())
	}
	return nil
}

// removeListed lists objects with one podman command and removes each with
// another, printing what it removed.
func removeListed(ctx context.Context, r runner.Runner, list, remove []string, out io.Writer) (int, error) {
	names, err := lines(ctx, r, list...)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, name := range names {
		c := podman(append(append([]string{}, remove...), name)...)
		if _, err := r.Run(ctx, c); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c, err))
			continue
		}
		fmt.Fprintf(out, "removed: %s\n", c)
	}
	return len(names) - len(errs), errors.Join(errs...)
}
