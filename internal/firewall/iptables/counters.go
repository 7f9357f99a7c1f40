package iptables

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// ReadCounters reads every table's counters with one "iptables-save -c".
func ReadCounters(ctx context.Context, r runner.Runner) (firewall.Snapshot, error) {
	out, err := r.Run(ctx, runner.Cmd{Name: "iptables-save", Args: []string{"-c"}})
	if err != nil {
		return firewall.Snapshot{}, fmt.Errorf("read counters: %w", err)
	}
	s, err := ParseSave(string(out))
	if err != nil {
		return firewall.Snapshot{}, fmt.Errorf("read counters: %w", err)
	}
	return s, nil
}

// parseCounter reads "[packets:bytes]".
func parseCounter(s string) (firewall.Counter, error) {
	inner, ok := strings.CutPrefix(s, "[")
	inner, ok2 := strings.CutSuffix(inner, "]")
	p, b, ok3 := strings.Cut(inner, ":")
	if !ok || !ok2 || !ok3 {
		return firewall.Counter{}, fmt.Errorf("bad counter %q: want [packets:bytes]", s)
	}
	pk, err := strconv.ParseUint(p, 10, 64)
	if err != nil {
		return firewall.Counter{}, fmt.Errorf("bad packet count in %q: %w", s, err)
	}
	by, err := strconv.ParseUint(b, 10, 64)
	if err != nil {
		return firewall.Counter{}, fmt.Errorf("bad byte count in %q: %w", s, err)
	}
	return firewall.Counter{Packets: pk, Bytes: by}, nil
}
