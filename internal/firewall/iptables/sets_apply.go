package iptables

import (
	"context"
	"fmt"
	"strings"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// applySets loads the ipset document in one "ipset restore". The learned
// set is created there only if missing; if it exists with another lifetime
// or size, a fresh one is swapped in first (the addresses learned under the
// old lifetime are forgotten: an element cannot change its timeout).
func applySets(ctx context.Context, r runner.Runner, doc string) error {
	if want, ok := learnedCreate(doc); ok {
		if err := reshapeLearned(ctx, r, want); err != nil {
			return err
		}
	}
	if _, err := r.Run(ctx, runner.Cmd{Name: "ipset", Args: []string{"restore"}, Stdin: doc}); err != nil {
		return fmt.Errorf("apply sets: %w", err)
	}
	return nil
}

// learnedCreate finds the shape the document creates the learned set with.
func learnedCreate(doc string) (string, bool) {
	prefix := "create " + setLearned + " "
	for _, line := range strings.Split(doc, "\n") {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			return strings.TrimSuffix(rest, " -exist"), true
		}
	}
	return "", false
}

// reshapeLearned swaps a new learned set in when the live one's header
// differs from shape ("hash:ip family inet timeout 600 maxelem 65536 counters").
func reshapeLearned(ctx context.Context, r runner.Runner, shape string) error {
	out, err := r.Run(ctx, runner.Cmd{Name: "ipset", Args: []string{"list", "-t", setLearned}})
	if err != nil {
		return nil // no learned set yet: the document creates it
	}
	if sameShape(string(out), shape) {
		return nil
	}
	tmp := setLearned + "-new"
	doc := fmt.Sprintf("create %s %s -exist\nflush %s\nswap %s %s\ndestroy %s\n", tmp, shape, tmp, tmp, setLearned, tmp)
	if _, err := r.Run(ctx, runner.Cmd{Name: "ipset", Args: []string{"restore"}, Stdin: doc}); err != nil {
		return fmt.Errorf("recreate the learned set with %s: %w", shape, err)
	}
	return nil
}

// sameShape compares an "ipset list -t" dump with a create shape: type,
// timeout and maxelem must all match.
func sameShape(list, shape string) bool {
	f := strings.Fields(shape) // hash:ip family inet timeout T maxelem M counters
	opts := map[string]string{}
	for i := 1; i+1 < len(f); i += 2 {
		opts[f[i]] = f[i+1]
	}
	var typ, header string
	for _, line := range strings.Split(list, "\n") {
		if v, ok := strings.CutPrefix(line, "Type: "); ok {
			typ = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "Header: "); ok {
			header = " " + strings.TrimSpace(v) + " "
		}
	}
	return typ == f[0] &&
		strings.Contains(header, " timeout "+opts["timeout"]+" ") &&
		strings.Contains(header, " maxelem "+opts["maxelem"]+" ")
}
