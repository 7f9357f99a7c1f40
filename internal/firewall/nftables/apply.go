package nftables

import (
	"context"
	"fmt"
	"regexp"
	"strconv"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// Why a reload is not "delete table; table inet rbm { ... }": that would
// also delete learn4 and with it every address the resolver opened, and
// the bottle's connections to names it resolved minutes ago would fail
// until it resolves them again. Measured with nft 1.0.6 on kernel 6.18 in
// a throwaway namespace:
//
//   - "flush table" removes every rule of every chain but leaves sets and
//     their elements alone; after it no rule references a set, so "delete
//     set" in the same transaction succeeds.
//   - "add chain" of an existing base chain updates its policy, and "add
//     set" of an existing set succeeds (and quietly updates its timeout
//     and size in place, keeping elements with their old timeouts).
//   - "add element X" then "delete element X" in one transaction succeeds
//     whether or not X was there.
//
// So a document flushes the table, re-declares chains and sets, flushes
// and refills allow4 and never4, and declares learn4 without touching its
// elements. Because "add set" would update a changed learn4 in place
// rather than start it afresh, Apply reads learn4's timeout and size first
// and, when they differ from the document's (or the document has no
// learn4), deletes the set in the same transaction before the document
// recreates it. One nft call loads it all: the kernel commits the whole
// transaction or, refusing any line of it, nothing.

// Apply loads doc (RenderDoc's output) in one atomic "nft -f -" call,
// keeping learn4's elements when its timeout and size are unchanged.
func Apply(ctx context.Context, r runner.Runner, doc string) error {
	cur, exists, err := readSetInfo(ctx, r, setLearned)
	if err != nil {
		return fmt.Errorf("apply ruleset: %w", err)
	}
	lifetime, size, wanted := learnedWanted(doc)
	if exists && (!wanted || cur.Timeout != lifetime || cur.Size != size) {
		// The document's own "add table"/"flush table" repeat harmlessly.
		doc = fmt.Sprintf("add table %s\nflush table %s\ndelete set %s %s\n", tableRef, tableRef, tableRef, setLearned) + doc
	}
	if err := load(ctx, r, doc); err != nil {
		return fmt.Errorf("apply ruleset: %w", err)
	}
	return nil
}

// ApplyLockdown loads LockdownDoc.
func ApplyLockdown(ctx context.Context, r runner.Runner) error {
	if err := load(ctx, r, LockdownDoc()); err != nil {
		return fmt.Errorf("lockdown: %w", err)
	}
	return nil
}

// load pipes doc into one "nft -f -"; nft's error names the line and
// underlines the offending token.
func load(ctx context.Context, r runner.Runner, doc string) error {
	_, err := r.Run(ctx, runner.Cmd{Name: "nft", Args: []string{"-f", "-"}, Stdin: doc})
	return err
}

// learnedDecl finds learn4's declaration in a document.
var learnedDecl = regexp.MustCompile(`(?m)^add set inet rbm learn4 \{ type ipv4_addr; flags timeout; timeout (\d+)s; size (\d+);`)

// learnedWanted returns the timeout (seconds) and size of learn4 as doc
// declares it, and whether it declares it at all.
func learnedWanted(doc string) (lifetime, size int, ok bool) {
	m := learnedDecl.FindStringSubmatch(doc)
	if m == nil {
		return 0, 0, false
	}
	lifetime, err1 := strconv.Atoi(m[1])
	size, err2 := strconv.Atoi(m[2])
	return lifetime, size, err1 == nil && err2 == nil
}
