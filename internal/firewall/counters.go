package firewall

import "sort"

// Counter is what the kernel counted for one rule, chain policy or set element.
type Counter struct {
	Packets, Bytes uint64
}

// Snapshot is the counters of one moment, for rbm's rules only.
type Snapshot struct {
	// Rules by id ("rbm:fwd-drop"); rules sharing an id are summed. Set
	// elements appear here too, under AllowID and LearnedID.
	Rules    map[string]Counter
	Policies map[string]Counter // by "table/CHAIN", built-in chains only
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
// (policies are not included: every chain of ours ends in a counted rule;
// nor are log twins, which move with the denial they log).
func (s Snapshot) Moved() []string {
	var ids []string
	for id, c := range s.Rules {
		if c.Packets > 0 && !IsLogID(id) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// Add returns the sum of two counters.
func (c Counter) Add(o Counter) Counter {
	return Counter{Packets: c.Packets + o.Packets, Bytes: c.Bytes + o.Bytes}
}
