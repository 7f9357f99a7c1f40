package engine

import (
	"context"
	"fmt"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// ListAll lists the services of every runtime in rts, and the runtimes
// that could not answer. The list is never nil: rbm status --json prints []
// for no service, which a script can iterate, not null.
func ListAll(ctx context.Context, rts []Runtime, r runner.Runner) ([]Service, []error) {
	list := []Service{}
	var failed []error
	for _, rt := range rts {
		l, err := List(ctx, rt, r)
		if err != nil {
			failed = append(failed, fmt.Errorf("%s: %w", rt.Name(), err))
			continue
		}
		list = append(list, l...)
	}
	return list, failed
}
