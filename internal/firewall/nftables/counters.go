package nftables

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// ReadCounters reads table inet rbm's counters with one "nft -j list table".
func ReadCounters(ctx context.Context, r runner.Runner) (firewall.Snapshot, error) {
	out, err := r.Run(ctx, runner.Cmd{Name: "nft", Args: []string{"-j", "list", "table", family, tableName}})
	if err != nil {
		return firewall.Snapshot{}, fmt.Errorf("read counters: %w", err)
	}
	s, err := ParseCounters(out)
	if err != nil {
		return firewall.Snapshot{}, fmt.Errorf("read counters: %w", err)
	}
	return s, nil
}

// ParseCounters reads "nft -j list table inet rbm" output into a Snapshot:
// every rule with an "rbm:" comment by its id (rules sharing an id summed),
// every allow4 element under AllowID and every learn4 element under
// LearnedID. nft keeps no counter for a chain's policy, so Policies stays
// empty: every chain of ours ends in a counted rule instead.
func ParseCounters(text []byte) (firewall.Snapshot, error) {
	l, err := parseListing(text)
	if err != nil {
		return firewall.Snapshot{}, err
	}
	s := firewall.Snapshot{Rules: map[string]firewall.Counter{}, Policies: map[string]firewall.Counter{}}
	for _, o := range l.Nftables {
		switch {
		case o.Rule != nil && ours(o.Rule.Family, o.Rule.Table):
			if id, c, ok := ruleCounter(*o.Rule); ok {
				s.Rules[id] = s.Rules[id].Add(c)
			}
		case o.Set != nil && ours(o.Set.Family, o.Set.Table):
			if err := addElements(s, *o.Set); err != nil {
				return firewall.Snapshot{}, err
			}
		}
	}
	return s, nil
}

// ours reports whether an object belongs to table inet rbm.
func ours(fam, table string) bool { return fam == family && table == tableName }

// ruleCounter returns the rule's id and its counter statement's values.
func ruleCounter(r jsonRule) (string, firewall.Counter, bool) {
	if !strings.HasPrefix(r.Comment, firewall.IDPrefix) {
		return "", firewall.Counter{}, false
	}
	for _, e := range r.Expr {
		raw, ok := e["counter"]
		if !ok {
			continue
		}
		var c jsonCounter
		if json.Unmarshal(raw, &c) == nil {
			return r.Comment, c.counter(), true
		}
	}
	return "", firewall.Counter{}, false
}

// addElements adds the counters of allow4's and learn4's elements.
func addElements(s firewall.Snapshot, set jsonSet) error {
	if set.Name != setAllowed && set.Name != setLearned {
		return nil
	}
	elems, err := set.elements()
	if err != nil {
		return err
	}
	for _, e := range elems {
		id := firewall.AllowID(e.Prefix)
		if set.Name == setLearned {
			id = firewall.LearnedID(e.Prefix.Addr())
		}
		s.Rules[firewall.IDPrefix+id] = s.Rules[firewall.IDPrefix+id].Add(e.Counter)
	}
	return nil
}
