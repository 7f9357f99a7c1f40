package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// Stop removes every object of the service called moniker: whatever carries
// its label, which is exactly what Start created, also after a half-failed
// start. Missing objects are fine. The bottle goes before its sentry.
func Stop(ctx context.Context, rt Runtime, r runner.Runner, moniker string, out io.Writer) error {
	if out == nil {
		out = io.Discard
	}
	n := NamesFor(moniker)
	removed, err := rt.Remove(ctx, r, n, out)
	if err != nil {
		return fmt.Errorf("stop %s: %w", moniker, err)
	}
	if removed == 0 {
		fmt.Fprintf(out, "nothing to remove: no %s object is labelled %s\n", rt.Name(), n.Label())
	}
	return nil
}

// RemoveListed lists objects with one command of rt (one name per line)
// and removes each with another (the name appended), printing what it
// removed. Runtimes' Remove is made of these.
func RemoveListed(ctx context.Context, rt Runtime, r runner.Runner, list, remove []string, out io.Writer) (int, error) {
	names, err := Lines(ctx, r, Cmd(rt, list...))
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, name := range names {
		c := Cmd(rt, append(append([]string{}, remove...), name)...)
		if _, err := r.Run(ctx, c); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c, err))
			continue
		}
		fmt.Fprintf(out, "removed: %s\n", c)
	}
	return len(names) - len(errs), errors.Join(errs...)
}

// Lines runs c and returns its non-empty output lines.
func Lines(ctx context.Context, r runner.Runner, c runner.Cmd) ([]string, error) {
	out, err := r.Run(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c, err)
	}
	var res []string
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			res = append(res, l)
		}
	}
	return res, nil
}
