package nftables

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// readSetInfo reads one set of table inet rbm without its elements ("-t",
// terse: learn4 may hold tens of thousands). A missing table or set is not
// an error: exists is false.
func readSetInfo(ctx context.Context, r runner.Runner, name string) (jsonSet, bool, error) {
	return readSet(ctx, r, name, "-j", "-t")
}

// readSetElements reads one set of table inet rbm with its elements.
func readSetElements(ctx context.Context, r runner.Runner, name string) (jsonSet, bool, error) {
	return readSet(ctx, r, name, "-j")
}

func readSet(ctx context.Context, r runner.Runner, name string, flags ...string) (jsonSet, bool, error) {
	args := append(flags, "list", "set", family, tableName, name)
	out, err := r.Run(ctx, runner.Cmd{Name: "nft", Args: args})
	if isMissing(err) {
		return jsonSet{}, false, nil
	}
	if err != nil {
		return jsonSet{}, false, fmt.Errorf("read set %s: %w", name, err)
	}
	l, err := parseListing(out)
	if err != nil {
		return jsonSet{}, false, fmt.Errorf("read set %s: %w", name, err)
	}
	for _, o := range l.Nftables {
		if o.Set != nil && o.Set.Name == name && ours(o.Set.Family, o.Set.Table) {
			return *o.Set, true, nil
		}
	}
	return jsonSet{}, false, fmt.Errorf("read set %s: not in nft's output", name)
}

// isMissing reports whether nft failed because the table or set does not
// exist: nft then says "Error: No such file or directory".
func isMissing(err error) bool {
	var ee *runner.ExitError
	return errors.As(err, &ee) && strings.Contains(ee.Stderr, "No such file or directory")
}
