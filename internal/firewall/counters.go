package firewall

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// Counter is what the kernel counted for one rule or chain policy.
type Counter struct {
	Packets, Bytes uint64
}

// Snapshot is the counters of one moment, for rbm's rules only.
type Snapshot struct {
	Rules    map[string]Counter // by rule id, "rbm:fwd-drop"; rules sharing an id are summed
	Policies map[string]Counter // by "table/CHAIN", built-in chains only
}

// ReadCounters reads every table's counters with one "iptables-save -c".
func ReadCounters(ctx context.Context, r runner.Runner) (Snapshot, error) {
	out, err := r.Run(ctx, runner.Cmd{Name: "iptables-save", Args: []string{"-c"}})
	if err != nil {
		return Snapshot{}, fmt.Errorf("read counters: %w", err)
	}
	s, err := ParseSave(string(out))
	if err != nil {
		return Snapshot{}, fmt.Errorf("read counters: %w", err)
	}
	return s, nil
}

// Delta returns s minus before: what was counted between the two snapshots.
// A counter smaller than before was reset (the ruleset was reloaded), so its
// whole value counts as new.
func (s Snapshot) Delta(before Snapshot) Snapshot {
	return Snapshot{Rules: deltaMap(s.Rules, before.Rules), Policies: deltaMap(s.Policies, before.Policies)}
}

func deltaMap(after, before map[string]Counter) map[string]Counter {
	out := make(map[string]Counter, len(after))
	for k, a := range after {
		b := before[k]
		if a.Packets < b.Packets || a.Bytes < b.Bytes {
			out[k] = a
			continue
		}
		out[k] = Counter{Packets: a.Packets - b.Packets, Bytes: a.Bytes - b.Bytes}
	}
	return out
}

// Moved lists, sorted, the ids of rules that counted at least one packet
// (policies are not included: every chain of ours ends in a counted rule).
func (s Snapshot) Moved() []string {
	var ids []string
	for id, c := range s.Rules {
		if c.Packets > 0 {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// parseCounter reads "[packets:bytes]".
func parseCounter(s string) (Counter, error) {
	inner, ok := strings.CutPrefix(s, "[")
	inner, ok2 := strings.CutSuffix(inner, "]")
	p, b, ok3 := strings.Cut(inner, ":")
	if !ok || !ok2 || !ok3 {
		return Counter{}, fmt.Errorf("bad counter %q: want [packets:bytes]", s)
	}
	pk, err := strconv.ParseUint(p, 10, 64)
	if err != nil {
		return Counter{}, fmt.Errorf("bad packet count in %q: %w", s, err)
	}
	by, err := strconv.ParseUint(b, 10, 64)
	if err != nil {
		return Counter{}, fmt.Errorf("bad byte count in %q: %w", s, err)
	}
	return Counter{Packets: pk, Bytes: by}, nil
}

func (c Counter) add(o Counter) Counter {
	return Counter{Packets: c.Packets + o.Packets, Bytes: c.Bytes + o.Bytes}
}
