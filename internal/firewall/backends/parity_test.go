package backends_test

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/iptables"
	"github.com/recipe-bottle/rbm/internal/firewall/nftables"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/policy/policytest"
)

// TestBackendParity parses what each backend rendered and checks that both
// hold the same rules: per chain role and family, the same ids in the same
// order, with the same verdicts, interfaces and ports. Both translate one
// model (firewall.Build), so a difference is a translator's bug.
func TestBackendParity(t *testing.T) {
	ifs := firewall.Interfaces{Enclave: "rbm-enc", Uplink: "rbm-up", UplinkPrefix: netip.MustParsePrefix("10.88.0.0/16"),
		UplinkGateway: netip.MustParseAddr("10.88.0.1")}
	for name, p := range parityPolicies() {
		t.Run(name, func(t *testing.T) {
			rs4 := iptables.Firewall{}.Render(p, ifs)
			ipt := parseIptables(t, rs4.Text("iptables"), "4")
			for k, v := range parseIptables(t, rs4.Text("ip6tables"), "6") {
				ipt[k] = v
			}
			nft := parseNft(t, nftables.Firewall{}.Render(p, ifs).Text(nftables.DocName))
			if len(ipt) == 0 || len(ipt) != len(nft) {
				t.Errorf("chains: iptables has %v, nftables %v", keys(ipt), keys(nft))
			}
			for k, want := range ipt {
				if got := nft[k]; !slices.Equal(got, want) {
					t.Errorf("%s:\niptables: %s\nnftables: %s", k, strings.Join(want, "\n          "), strings.Join(got, "\n          "))
				}
			}
		})
	}
}

// parityPolicies are every golden mode, plus what the modes leave out:
// learning without the gate, global egress failing fast, an entry port
// published on loopback, and a policy a hostile configuration could give
// (nested and overlapping CIDRs, the host inside an allowed one, one port).
func parityPolicies() map[string]policy.Policy {
	base := policy.Policy{SentryIP: netip.MustParseAddr("192.0.2.2"), BottleIP: netip.MustParseAddr("192.0.2.3"),
		Subnet: netip.MustParsePrefix("192.0.2.0/24"), Upstream: netip.MustParseAddr("198.51.100.53"),
		AllowedCIDRs:   []netip.Prefix{netip.MustParsePrefix("198.51.100.80/32"), netip.MustParsePrefix("203.0.113.0/24")},
		AllowedDomains: []string{"example.test"}, HostAddrs: []netip.Addr{netip.MustParseAddr("198.18.0.1")}}
	out := map[string]policy.Policy{}
	for _, m := range policytest.Modes() {
		p := base
		p.Egress, p.DNS, p.Intercept = m.Egress, m.DNS, m.Intercept
		if m.Entry {
			p.Entry = &policy.Entry{WorkstationPort: 8443, EnclavePort: 8000}
		}
		m.Apply(&p)
		out[m.Name] = p
	}
	learn := out["egress-allowlist_dns-allowlist_entry-on_redirect"]
	learn.Learn = policy.Learn{Enabled: true, Lifetime: time.Minute, Max: 16}
	out["learn-no-gate"] = learn
	global := out["egress-global_dns-allowlist_entry-on_redirect"]
	global.Deny = policy.DenyReject
	global.Entry = &policy.Entry{WorkstationPort: 8443, EnclavePort: 8000, HostOnly: true}
	out["global-reject-host-only"] = global
	hostile := out["egress-allowlist_dns-allowlist_entry-off_redirect_name-all"]
	hostile.Deny = policy.DenyReject
	hostile.AllowedCIDRs = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("10.1.0.0/16"),
		netip.MustParsePrefix("10.88.0.0/16"), netip.MustParsePrefix("169.254.169.254/32")}
	hostile.HostAddrs = []netip.Addr{netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("10.88.0.1")}
	hostile.Gate.Ports = []uint16{443}
	out["hostile"] = hostile
	return out
}

var (
	iptRule   = regexp.MustCompile(`^-A (\S+) (.*)-m comment --comment "rbm:([^"]+)" -j (\S+)(.*)$`)
	nftRule   = regexp.MustCompile(`^add rule inet rbm (\S+) (.*)counter (.*) comment "rbm:([^"]+)"$`)
	ifaceTerm = regexp.MustCompile(`(?:-([io])|([io])ifname) "?([^" ]+)"?`)
	portTerm  = regexp.MustCompile(`dports? (?:\{ )?([0-9, ]+[0-9])`)
)

// roles maps both backends' chain names to one role name.
var roles = map[string]string{
	"INPUT": "input", "FORWARD": "forward", "OUTPUT": "output", "PREROUTING": "prerouting", "POSTROUTING": "postrouting",
	"RBM-INGRESS": "ingress", "RBM-FORWARD": "bottle-forward", "RBM-EGRESS": "egress", "RBM-REJECT": "reject",
	"input": "input", "forward": "forward", "output": "output", "prerouting": "prerouting", "postrouting": "postrouting",
	"rbm-ingress": "ingress", "rbm-forward": "bottle-forward", "rbm-egress": "egress", "rbm-reject": "reject",
	"nat-output": "nat-output", // iptables: OUTPUT of table nat (natRole)
}

// verdicts maps both backends' actions to one name.
var verdicts = map[string]string{
	"ACCEPT": "accept", "DROP": "drop", "NFLOG": "log", "DNAT": "dnat", "REDIRECT": "redirect", "MASQUERADE": "masquerade",
	"REJECT --reject-with icmp-port-unreachable": "reject-port", "REJECT --reject-with tcp-reset": "reject-reset",
	"REJECT --reject-with icmp-admin-prohibited": "reject-admin",
	"accept": "accept", "drop": "drop", "log": "log", "dnat": "dnat", "redirect": "redirect", "masquerade": "masquerade",
	"reject with icmp port-unreachable": "reject-port", "reject with tcp reset": "reject-reset",
	"reject with icmpx type admin-prohibited": "reject-admin",
}

// parseIptables returns, per "family role", the rules of an
// iptables-restore document in order.
func parseIptables(t *testing.T, doc, family string) map[string][]string {
	out := map[string][]string{}
	table := ""
	for _, line := range strings.Split(doc, "\n") {
		if name, ok := strings.CutPrefix(line, "*"); ok {
			table = name
		}
		if !strings.HasPrefix(line, "-A ") {
			continue
		}
		m := iptRule.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("iptables rule not understood: %s", line)
		}
		v := m[4]
		switch {
		case v == "REJECT":
			v = "REJECT" + m[5]
		case roles[v] != "":
			v = "jump " + roles[v]
		}
		role := roles[m[1]]
		if table == "nat" && m[1] == "OUTPUT" {
			role = "nat-output" // nat's OUTPUT is its own hook, not filter's
		}
		out[family+" "+role] = append(out[family+" "+role], summary(t, m[3], v, m[2]))
	}
	return out
}

// parseNft returns, per "family role", the rules of an nft document in
// order; a rule for IPv6 says so in its match.
func parseNft(t *testing.T, doc string) map[string][]string {
	out := map[string][]string{}
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(line, "add rule ") {
			continue
		}
		m := nftRule.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("nft rule not understood: %s", line)
		}
		family, match := "4", m[2]
		if rest, ok := strings.CutPrefix(match, "meta nfproto ipv6 "); ok {
			family, match = "6", rest
		}
		v := m[3]
		if c, ok := strings.CutPrefix(v, "jump "); ok {
			v = "jump " + roles[c]
		} else if !strings.HasPrefix(v, "reject") {
			v, _, _ = strings.Cut(v, " ")
		}
		out[family+" "+roles[m[1]]] = append(out[family+" "+roles[m[1]]], summary(t, m[4], v, match))
	}
	return out
}

// summary is what both backends must agree on for one rule.
func summary(t *testing.T, id, verdict, match string) string {
	if n, ok := verdicts[verdict]; ok {
		verdict = n
	} else if !strings.HasPrefix(verdict, "jump ") || strings.HasSuffix(verdict, " ") {
		t.Fatalf("rule %s: verdict %q not understood", id, verdict)
	}
	var terms []string
	for _, m := range ifaceTerm.FindAllStringSubmatch(match, -1) {
		terms = append(terms, m[1]+m[2]+"if="+m[3])
	}
	for _, m := range portTerm.FindAllStringSubmatch(match, -1) {
		terms = append(terms, "dport="+strings.ReplaceAll(m[1], " ", ""))
	}
	return fmt.Sprintf("%s %s %v", id, verdict, terms)
}

func keys(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
