package iptables

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// Apply loads v4 with one iptables-restore call, then v6 with one
// ip6tables-restore call. Each call replaces the tables its document names
// atomically: a document the kernel refuses changes nothing. If v6 fails, v4
// is already live; callers then load the lockdown (ApplyLockdown).
func Apply(ctx context.Context, r runner.Runner, v4, v6 string) error {
	if err := restore(ctx, r, "iptables-restore", v4); err != nil {
		return fmt.Errorf("apply IPv4 ruleset: %w", err)
	}
	if err := restore(ctx, r, "ip6tables-restore", v6); err != nil {
		return fmt.Errorf("apply IPv6 ruleset: %w", err)
	}
	return nil
}

// ApplyLockdown loads the fail-closed rulesets: Lockdown for IPv4 and the
// drop-all RenderIPv6 for IPv6.
func ApplyLockdown(ctx context.Context, r runner.Runner) error {
	if err := Apply(ctx, r, Lockdown(), RenderIPv6()); err != nil {
		return fmt.Errorf("lockdown: %w", err)
	}
	return nil
}

// restore pipes doc into prog. iptables reports errors by line number only,
// so the offending line of doc is added to the error.
func restore(ctx context.Context, r runner.Runner, prog, doc string) error {
	_, err := r.Run(ctx, runner.Cmd{Name: prog, Stdin: doc})
	if err == nil {
		return nil
	}
	if where, ok := failedLine(err.Error(), doc); ok {
		return fmt.Errorf("%w (%s)", err, where)
	}
	return err
}

// lineRef matches "line 12 failed" (legacy) and "Error occurred at line: 12"
// (nf_tables).
var lineRef = regexp.MustCompile(`\bline:? (\d+)\b`)

// failedLine describes the line of doc an iptables-restore message points
// at. The nf_tables backend finds some errors (a jump to a missing chain)
// only when the table is committed and then points at COMMIT; the table is
// named instead, and iptables' own message names the culprit.
func failedLine(msg, doc string) (string, bool) {
	m := lineRef.FindStringSubmatch(msg)
	if m == nil {
		return "", false
	}
	n, err := strconv.Atoi(m[1])
	lines := strings.Split(doc, "\n")
	if err != nil || n < 1 || n > len(lines) {
		return "", false
	}
	text := strings.TrimSpace(lines[n-1])
	if text == "COMMIT" {
		for i := n - 2; i >= 0; i-- {
			if strings.HasPrefix(lines[i], "*") {
				text = "COMMIT of " + strings.TrimSpace(lines[i])
				break
			}
		}
	}
	return fmt.Sprintf("line %d: %s", n, text), true
}
