package nftables

import (
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// TestParseCountersCaptured parses real output, captured by
// TestCaptureCounters -update: every rule id of the policy, the element
// counters under their AllowID and LearnedID, the loopback rules moved.
func TestParseCountersCaptured(t *testing.T) {
	b, err := os.ReadFile("testdata/list-table.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseCounters(b)
	if err != nil {
		t.Fatal(err)
	}
	p := testPolicy(policy.EgressAllowlist, policy.DNSAllowlist, false, policy.InterceptRedirect)
	want := append(RuleIDs(p), "rbm:fwd-allow-203.0.113.0/24", "rbm:fwd-allow-198.51.100.80/32", "rbm:fwd-learned-198.51.100.7")
	if got := slices.Sorted(maps.Keys(s.Rules)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Errorf("ids = %q\nwant %q", got, want)
	}
	for id, c := range map[string]firewall.Counter{
		"rbm:fwd-allow-203.0.113.0/24":   {Packets: 7, Bytes: 420},
		"rbm:fwd-allow-198.51.100.80/32": {Packets: 3, Bytes: 180},
		"rbm:fwd-learned-198.51.100.7":   {Packets: 2, Bytes: 120},
		"rbm:fwd-drop":                   {},
	} {
		if s.Rules[id] != c {
			t.Errorf("%s = %+v, want %+v", id, s.Rules[id], c)
		}
	}
	for _, id := range []string{"rbm:in-loopback", "rbm:out-loopback", "rbm:in-jump", "rbm:out-jump"} {
		if s.Rules[id].Packets == 0 || s.Rules[id].Bytes == 0 {
			t.Errorf("%s = %+v, the loopback connection moved it", id, s.Rules[id])
		}
	}
}

// TestParseCountersForms: bare and wrapped elements, other tables and
// comments not ours skipped, rules sharing an id summed, bad JSON refused.
func TestParseCountersForms(t *testing.T) {
	text := `{"nftables": [{"metainfo": {"version": "1.0.6"}},
 {"set": {"family": "inet", "table": "rbm", "name": "allow4", "elem": ["192.0.2.9", {"prefix": {"addr": "10.0.0.0", "len": 8}},
   {"elem": {"val": {"range": ["10.0.0.1", "10.0.0.5"]}, "counter": {"packets": 1, "bytes": 1}}}]}},
 {"set": {"family": "inet", "table": "other", "name": "allow4", "elem": ["192.0.2.10"]}},
 {"rule": {"family": "inet", "table": "rbm", "chain": "c", "comment": "rbm:x", "expr": [{"counter": {"packets": 1, "bytes": 10}}, {"drop": null}]}},
 {"rule": {"family": "inet", "table": "rbm", "chain": "c", "comment": "rbm:x", "expr": [{"counter": {"packets": 2, "bytes": 20}}]}},
 {"rule": {"family": "inet", "table": "rbm", "chain": "c", "comment": "mine", "expr": [{"counter": {"packets": 2, "bytes": 20}}]}},
 {"rule": {"family": "ip", "table": "rbm", "chain": "c", "comment": "rbm:y", "expr": [{"counter": {"packets": 2, "bytes": 20}}]}}]}`
	s, err := ParseCounters([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"rbm:fwd-allow-10.0.0.0/8", "rbm:fwd-allow-192.0.2.9/32", "rbm:x"}
	if got := slices.Sorted(maps.Keys(s.Rules)); !slices.Equal(got, want) {
		t.Errorf("ids = %q, want %q", got, want)
	}
	if s.Rules["rbm:x"] != (firewall.Counter{Packets: 3, Bytes: 30}) {
		t.Errorf("rbm:x = %+v, want the sum", s.Rules["rbm:x"])
	}
	if _, err := ParseCounters([]byte(strings.TrimSuffix(text, "}"))); err == nil {
		t.Error("truncated JSON parsed")
	}
}
