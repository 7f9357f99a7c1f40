package nftables

import (
	"slices"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/firewall/iptables"
)

// TestRuleIDsMatchIPtables: for every mode, both backends render the same
// IPv4 rule ids in the same order, so verification and counters need not
// know which one runs. IPv6 rules ("v6-") are nftables' share of what
// iptables puts in its separate ip6tables document.
//
// The iptables backend is moving from one rule per CIDR ("fwd-allow-<cidr>")
// to one set rule ("fwd-allow-cidrs") plus the learning rules; until it
// has, its per-CIDR ids are folded into the set rule's and the learning
// ids are compared only when it renders them.
func TestRuleIDsMatchIPtables(t *testing.T) {
	for _, c := range renderCases() {
		for _, learn := range []bool{true, false} {
			p := c.p
			p.Learn.Enabled = learn
			ipt := foldAllowIDs(iptables.RuleIDs(p))
			var got []string
			for _, id := range RuleIDs(p) {
				if strings.HasPrefix(id, "rbm:v6-") {
					continue
				}
				if !slices.Contains(ipt, "rbm:fwd-learned") && (id == "rbm:fwd-learned" || id == "rbm:fwd-learn-guard") {
					continue
				}
				got = append(got, id)
			}
			if !slices.Equal(got, ipt) {
				t.Errorf("%s learn=%v:\n nftables %q\n iptables %q", c.name, learn, got, ipt)
			}
		}
	}
}

// foldAllowIDs replaces the run of per-CIDR allow ids by "fwd-allow-cidrs".
func foldAllowIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if rest, ok := strings.CutPrefix(id, "rbm:fwd-allow-"); ok && rest != "global" && rest != "cidrs" {
			id = "rbm:fwd-allow-cidrs"
		}
		if id == "rbm:fwd-allow-cidrs" && len(out) > 0 && out[len(out)-1] == id {
			continue
		}
		out = append(out, id)
	}
	return out
}
