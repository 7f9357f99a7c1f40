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
	// Unmoved: rule ids whose counters must not move (fwd-jump for a
	// packet that must never be forwarded at all).
	Unmoved []string `json:"unmoved,omitempty"`
	// ForeignUntouched: the foreign resolver must see nothing (lab only).
	ForeignUntouched bool `json:"foreign_untouched,omitempty"`
	// Upstream, when set, is a name the upstream resolver must (Asked) or
	// must not have been asked for during the case, where the backend can
	// see the upstream's own count (the lab's stand-in).
	Upstream *UpstreamCheck `json:"upstream,omitempty"`
	// LeftBy is a rule that counts every new flow of the bottle's leaving
	// the sentry's uplink (rbm:nat-masq), set where a drop may be judged
	// by what left (see routedAway).
	LeftBy string `json:"left_by,omitempty"`
	// UpstreamState: a report of whether the upstream answers at all.
	UpstreamState bool `json:"upstream_state,omitempty"`
	// Report marks an informational case: it never fails, it tells.
	Report bool `json:"report,omitempty"`
	// RefusedBy: when the outcome is "refused", one of these must have
	// moved (the sentry's reject rules, with RBRN_UPLINK_DENY=reject).
	RefusedBy []string `json:"refused_by,omitempty"`
	// UnlessLearned: when this address is already in the learned set
	// before the case runs (an earlier run resolved it), the expectation
	// cannot be shown and the case only reports.
	UnlessLearned string `json:"unless_learned,omitempty"`
	// Needs: what outside the sentry the expected success depends on
	// (its upstream, a route out of the uplink); see couldNotRun.
	Needs []Need `json:"needs,omitempty"`
	// Dst: the outside address the sentry's own probe sends to, where a
	// drop may be made by the sentry's kernel (see unsent).
	Dst netip.Addr `json:"dst,omitzero"`
}

// UpstreamCheck names a query the upstream must or must not have seen.
type UpstreamCheck struct {
	Name  string `json:"name"`
	Asked bool   `json:"asked"`
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

// witness is what the stand-ins saw during a case, where they can be seen.
type witness struct {
	foreign  int // queries the foreign resolver received
	upstream int // queries for Expect.Upstream.Name the upstream received
	seen     bool
}

// judge returns whether r and the moved rules meet e, and why not.
//
// When it holds, note may say how: a drop expected in FORWARD that the
// sentry's routing made before FORWARD (see routedAway).
func (e Expect) judge(r probe.Result, moved []string, w witness) (ok bool, _, note string) {
	var why []string
	if len(e.Outcomes) > 0 && !slices.Contains(e.Outcomes, r.Outcome) {
		why = append(why, fmt.Sprintf("outcome %s, want %s", r.Outcome, join(e.Outcomes)))
	}
	if e.Rcode != "" && r.Rcode != e.Rcode {
		why = append(why, fmt.Sprintf("rcode %q, want %s", r.Rcode, e.Rcode))
	}
	why = append(why, e.Answers.check(r.Answers)...)
	var unmoved []string // deciding rules that did not move
	for _, id := range e.Moved {
		if !slices.Contains(moved, id) {
			unmoved = append(unmoved, id+" did not move")
		}
	}
	if len(e.AnyMoved) > 0 && !slices.ContainsFunc(e.AnyMoved, func(id string) bool { return slices.Contains(moved, id) }) {
		unmoved = append(unmoved, "none of "+strings.Join(e.AnyMoved, ", ")+" moved")
	}
	if len(why) == 0 && len(unmoved) > 0 && e.routedAway(r, moved) {
		unmoved, note = nil, routedNote
	}
	why = append(why, unmoved...)
	if r.Outcome == probe.Refused && len(e.RefusedBy) > 0 && !slices.ContainsFunc(e.RefusedBy, func(id string) bool { return slices.Contains(moved, id) }) {
		why = append(why, "refused, but not by the sentry ("+strings.Join(e.RefusedBy, ", ")+" did not move)")
	}
	for _, id := range e.Unmoved {
		if slices.Contains(moved, id) {
			why = append(why, id+" moved")
		}
	}
	if e.ForeignUntouched && w.foreign > 0 {
		why = append(why, fmt.Sprintf("the foreign resolver received %d queries", w.foreign))
	}
	if u := e.Upstream; u != nil && w.seen {
		switch {
		case u.Asked && w.upstream == 0:
			why = append(why, "the upstream was never asked for "+u.Name+" (nothing was tested)")
		case !u.Asked && w.upstream > 0:
			why = append(why, fmt.Sprintf("the upstream was asked for %s %d times", u.Name, w.upstream))
		}
	}
	return len(why) == 0, strings.Join(why, "; "), note
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

// routedNote says why a drop held without its rule moving.
const routedNote = "never forwarded: stopped before the sentry's FORWARD chain (its routing: no route; or the bottle's own kernel); fwd-jump did not move, so nothing left toward the uplink"

// routedAway reports whether a drop e expects in the FORWARD chain was made
// by the sentry's routing instead: the bottle saw no reply (or an ICMP
// unreachable, or its own kernel refused), the bottle's packets never
// crossed the sentry's FORWARD rules (fwd-jump did not move) and no new
// flow left its uplink (LeftBy did not move), so nothing reached the target.
// A sentry without a default route drops that way. A rule accepting ahead
// of rbm's in FORWARD does not pass for it: what it lets out moves LeftBy.
func (e Expect) routedAway(r probe.Result, moved []string) bool {
	if e.LeftBy == "" || slices.Contains(moved, e.LeftBy) || !slices.Equal(e.Outcomes, dropped) || !slices.Contains(dropped, r.Outcome) {
		return false
	}
	for _, id := range append(slices.Clone(e.Moved), e.AnyMoved...) {
		if !strings.HasPrefix(id, "rbm:fwd-") || id == forwardJump {
			return false
		}
	}
	return !slices.Contains(moved, forwardJump)
}
