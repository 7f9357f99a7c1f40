package nftables

import (
	"github.com/recipe-bottle/rbm/internal/golden"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestRenderGolden(t *testing.T) {
	for _, c := range renderCases() {
		t.Run(c.name, func(t *testing.T) {
			got := RenderDoc(c.p, testIfs)
			golden.Check(t, c.name+".nft", got)
			checkInvariants(t, got)
			checkIDs(t, got, RuleIDs(c.p))
		})
	}
}

func TestLockdownGolden(t *testing.T) {
	got := LockdownDoc()
	golden.Check(t, "lockdown.nft", got)
	checkInvariants(t, got)
	checkIDs(t, got, LockdownIDs())
	if !strings.Contains(got, "delete table inet rbm\n") || strings.Contains(got, "@") {
		t.Error("lockdown does not replace the whole table, or still uses a set")
	}
	for _, c := range []string{chainPrerouting, chainPostrouting, chainNATOutput} {
		if strings.Contains(got, "add rule inet rbm "+c+" ") {
			t.Errorf("lockdown %s chain is not empty", c)
		}
	}
}

// checkInvariants holds for every document: no owner matching (the bottle
// is filtered by address), every rule counted and carrying an id, every
// filter base chain dropping by default.
func checkInvariants(t *testing.T, doc string) {
	t.Helper()
	if strings.Contains(doc, "skuid") {
		t.Error("ruleset matches on the socket owner")
	}
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "add rule ") && (!strings.Contains(line, " counter ") || !strings.Contains(line, `comment "rbm:`)) {
			t.Errorf("rule without counter or rbm: id: %s", line)
		}
	}
	for _, c := range []string{chainInput, chainForwardBase, chainOutput} {
		if !strings.Contains(doc, "add chain inet rbm "+c+" { type filter hook "+c+" priority filter; policy drop; }\n") {
			t.Errorf("filter chain %s does not drop by default", c)
		}
	}
}

var idInDoc = regexp.MustCompile(`comment "(rbm:[^"]+)"`)

// checkIDs proves the id list names exactly the ids in the text, each once.
func checkIDs(t *testing.T, doc string, ids []string) {
	t.Helper()
	var inDoc []string
	for _, m := range idInDoc.FindAllStringSubmatch(doc, -1) {
		inDoc = append(inDoc, m[1])
	}
	if !slices.Equal(inDoc, ids) {
		t.Errorf("ids = %q, document has %q", ids, inDoc)
	}
	if len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
		t.Errorf("duplicate ids in %q", ids)
	}
}

// chainIDs lists the ids of one chain's rules, in order, without "rbm:".
func chainIDs(doc, chain string) []string {
	var out []string
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "add rule inet rbm "+chain+" ") {
			out = append(out, strings.TrimPrefix(idInDoc.FindStringSubmatch(line)[1], "rbm:"))
		}
	}
	return out
}

// TestIPv6DroppedFirst: in every filter base chain IPv6 meets a counted
// drop before any IPv4 rule (only loopback passes before it).
func TestIPv6DroppedFirst(t *testing.T) {
	doc := RenderDoc(renderCases()[0].p, testIfs)
	want := map[string][]string{
		chainInput:       {"v6-in-loopback", "v6-in-drop"},
		chainForwardBase: {"v6-fwd-drop"},
		chainOutput:      {"v6-out-loopback", "v6-out-drop"},
	}
	for c, ids := range want {
		if got := chainIDs(doc, c); !slices.Equal(got[:len(ids)], ids) {
			t.Errorf("%s starts %q, want %q", c, got, ids)
		}
	}
}
