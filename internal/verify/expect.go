package verify

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/probe"
)

// Expect is what must be observed for a case to hold.
type Expect struct {
	Text     string          `json:"text"`                // for humans: "dropped", "intercepted by the sentry"
	Outcomes []probe.Outcome `json:"outcomes,omitempty"`  // any of these
	Rcode    string          `json:"rcode,omitempty"`     // when set, the DNS rcode must equal it
	Answers  answers         `json:"-"`                   // constraint on DNS answers
	Moved    []string        `json:"moved,omitempty"`     // rule ids whose counters must move
	AnyMoved []string        `json:"any_moved,omitempty"` // at least one of these must move
	// ForeignUntouched: the foreign resolver must see nothing (lab only).
	ForeignUntouched bool `json:"foreign_untouched,omitempty"`
	// Report marks an informational case: it never fails, it tells.
	Report bool `json:"report,omitempty"`
	// RefusedBy: when the outcome is "refused", one of these must have
	// moved (the sentry's reject rules, with RBRN_UPLINK_DENY=reject).
	RefusedBy []string `json:"refused_by,omitempty"`
	// UnlessLearned: when this address is already in the learned set
	// before the case runs (an earlier run resolved it), the expectation
	// cannot be shown and the case only reports.
	UnlessLearned string `json:"unless_learned,omitempty"`
}

type answers struct {
	some      bool   // at least one
	none      bool   // no answer at all
	exclude   string // no answer equals this
	noPrivate bool   // no private, loopback or link-local address (rebinding)
}

var (
	reachedTCP = []probe.Outcome{probe.Connected}
	// A UDP probe to a closed port that comes back "refused" got through:
	// the refusal came from the far host.
	reachedUDP = []probe.Outcome{probe.Answered, probe.Refused}
	dropped    = []probe.Outcome{probe.Timeout, probe.Unreachable, probe.Denied}
	notThrough = []probe.Outcome{probe.Timeout, probe.Unreachable, probe.Denied, probe.Refused, probe.Error}
)

// judge returns whether r and the moved rules meet e, and why not.
func (e Expect) judge(r probe.Result, moved []string, foreignDelta int) (bool, string) {
	var why []string
	if len(e.Outcomes) > 0 && !slices.Contains(e.Outcomes, r.Outcome) {
		why = append(why, fmt.Sprintf("outcome %s, want %s", r.Outcome, join(e.Outcomes)))
	}
	if e.Rcode != "" && r.Rcode != e.Rcode {
		why = append(why, fmt.Sprintf("rcode %q, want %s", r.Rcode, e.Rcode))
	}
	why = append(why, e.Answers.check(r.Answers)...)
	for _, id := range e.Moved {
		if !slices.Contains(moved, id) {
			why = append(why, id+" did not move")
		}
	}
	if len(e.AnyMoved) > 0 && !slices.ContainsFunc(e.AnyMoved, func(id string) bool { return slices.Contains(moved, id) }) {
		why = append(why, "none of "+strings.Join(e.AnyMoved, ", ")+" moved")
	}
	if r.Outcome == probe.Refused && len(e.RefusedBy) > 0 && !slices.ContainsFunc(e.RefusedBy, func(id string) bool { return slices.Contains(moved, id) }) {
		why = append(why, "refused, but not by the sentry ("+strings.Join(e.RefusedBy, ", ")+" did not move)")
	}
	if e.ForeignUntouched && foreignDelta > 0 {
		why = append(why, fmt.Sprintf("the foreign resolver received %d queries", foreignDelta))
	}
	return len(why) == 0, strings.Join(why, "; ")
}

func (a answers) check(got []string) []string {
	switch {
	case a.some && len(got) == 0:
		return []string{"no answer, want an address"}
	case a.none && len(got) > 0:
		return []string{fmt.Sprintf("answers %v, want none", got)}
	case a.exclude != "" && slices.Contains(got, a.exclude):
		return []string{fmt.Sprintf("answer %s must never be returned", a.exclude)}
	}
	if a.noPrivate {
		for _, g := range got {
			if x, err := netip.ParseAddr(g); err == nil && (x.IsPrivate() || x.IsLoopback() || x.IsLinkLocalUnicast()) {
				return []string{fmt.Sprintf("answer %s is a private, loopback or link-local address (rebinding)", g)}
			}
		}
	}
	return nil
}

func join(os []probe.Outcome) string {
	s := make([]string, len(os))
	for i, o := range os {
		s[i] = string(o)
	}
	return strings.Join(s, "|")
}
