package verify_test

import (
	"slices"
	"testing"

	"github.com/recipe-bottle/rbm/internal/lab/labverify"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/verify"
)

// labMode is a configuration layered over lab.Example(), with the modes it
// must resolve to and the batteries to run on it.
type labMode struct {
	name      string
	env       string
	egress    policy.Egress
	dns       policy.DNS
	intercept policy.Intercept
	entry     bool
	hostile   bool // also run the battery with NET_RAW and NET_ADMIN
}

// labModes covers every egress, DNS and interception value (and entry on
// and off) at least once, with a hostile run in a dropping and in a
// forwarding egress mode.
var labModes = []labMode{
	{name: "example", env: "",
		egress: policy.EgressAllowlist, dns: policy.DNSAllowlist, intercept: policy.InterceptRedirect, entry: true, hostile: true},
	{name: "no-egress-reject", env: "RBRN_UPLINK_ACCESS_ENABLED=false\nRBRN_DNS_INTERCEPT=reject\n",
		egress: policy.EgressNone, dns: policy.DNSAllowlist, intercept: policy.InterceptReject, entry: true},
	{name: "global-everything", env: "RBRN_UPLINK_ACCESS_GLOBAL=true\nRBRN_UPLINK_DNS_GLOBAL=true\nRBRN_ENTRY_ENABLED=false\n",
		egress: policy.EgressGlobal, dns: policy.DNSGlobal, intercept: policy.InterceptRedirect, entry: false, hostile: true},
	{name: "dns-off-redirect", env: "RBRN_UPLINK_DNS_ENABLED=false\n",
		egress: policy.EgressAllowlist, dns: policy.DNSOff, intercept: policy.InterceptRedirect, entry: true},
	{name: "no-egress-dns-global-reject", env: "RBRN_UPLINK_ACCESS_ENABLED=false\nRBRN_UPLINK_DNS_GLOBAL=true\nRBRN_DNS_INTERCEPT=reject\nRBRN_ENTRY_ENABLED=false\n",
		egress: policy.EgressNone, dns: policy.DNSGlobal, intercept: policy.InterceptReject, entry: false},
	// Exact names: the query-name channel is closed (names under an
	// allowed one are NXDOMAIN from the sentry, never forwarded).
	{name: "exact-names", env: "RBRN_DNS_MATCH=exact\nRBRN_UPLINK_ALLOWED_DOMAINS=allowed.test learn.allowed.test *.bait.test\n",
		egress: policy.EgressAllowlist, dns: policy.DNSAllowlist, intercept: policy.InterceptRedirect, entry: true, hostile: true},
	// CIDR-only egress: resolving opens nothing.
	{name: "cidr-only", env: "RBRN_UPLINK_LEARN_ADDRESSES=false\n",
		egress: policy.EgressAllowlist, dns: policy.DNSAllowlist, intercept: policy.InterceptRedirect, entry: true},
	// The nftables backend: the example (learning, hostile too) and a
	// rejecting, closed one.
	{name: "example-nftables", env: "RBRR_FIREWALL_BACKEND=nftables\n",
		egress: policy.EgressAllowlist, dns: policy.DNSAllowlist, intercept: policy.InterceptRedirect, entry: true, hostile: true},
	// Denials that fail fast, on both backends.
	{name: "deny-reject", env: "RBRN_UPLINK_DENY=reject\n",
		egress: policy.EgressAllowlist, dns: policy.DNSAllowlist, intercept: policy.InterceptRedirect, entry: true, hostile: true},
	{name: "deny-reject-nftables", env: "RBRR_FIREWALL_BACKEND=nftables\nRBRN_UPLINK_DENY=reject\n",
		egress: policy.EgressAllowlist, dns: policy.DNSAllowlist, intercept: policy.InterceptRedirect, entry: true},
	{name: "global-reject-nftables", env: "RBRR_FIREWALL_BACKEND=nftables\nRBRN_UPLINK_ACCESS_GLOBAL=true\nRBRN_DNS_INTERCEPT=reject\nRBRN_ENTRY_ENABLED=false\n",
		egress: policy.EgressGlobal, dns: policy.DNSAllowlist, intercept: policy.InterceptReject, entry: false},
}

// TestLabModeTable needs no root: the table resolves to the modes it
// claims, and together they cover every value.
func TestLabModeTable(t *testing.T) {
	var egs []policy.Egress
	var dnss []policy.DNS
	var ics []policy.Intercept
	var entries []bool
	hostile := 0
	for _, m := range labModes {
		p := labConfig(t, m.env).Policy()
		if p.Egress != m.egress || p.DNS != m.dns || p.Intercept != m.intercept || (p.Entry != nil) != m.entry {
			t.Errorf("%s resolves to egress=%s dns=%s intercept=%s entry=%t, table says %s %s %s %t",
				m.name, p.Egress, p.DNS, p.Intercept, p.Entry != nil, m.egress, m.dns, m.intercept, m.entry)
		}
		egs, dnss, ics, entries = append(egs, p.Egress), append(dnss, p.DNS), append(ics, p.Intercept), append(entries, p.Entry != nil)
		if m.hostile {
			hostile++
		}
	}
	for _, e := range verify.EgressModes {
		if !slices.Contains(egs, e) {
			t.Errorf("no lab with egress %s", e)
		}
	}
	for _, d := range verify.DNSModes {
		if !slices.Contains(dnss, d) {
			t.Errorf("no lab with DNS %s", d)
		}
	}
	for _, i := range verify.InterceptModes {
		if !slices.Contains(ics, i) {
			t.Errorf("no lab with intercept %s", i)
		}
	}
	if !slices.Contains(entries, true) || !slices.Contains(entries, false) {
		t.Error("entry port not covered both on and off")
	}
	backends, rejects := map[string]bool{}, map[string]bool{}
	for _, m := range labModes {
		cfg := labConfig(t, m.env)
		backends[cfg.FirewallBackend] = true
		if cfg.Policy().Deny == policy.DenyReject {
			rejects[cfg.FirewallBackend] = true
		}
	}
	if !rejects["iptables"] || !rejects["nftables"] {
		t.Errorf("RBRN_UPLINK_DENY=reject is verified on %v, want both backends", rejects)
	}
	if !backends["iptables"] || !backends["nftables"] {
		t.Errorf("labs cover the backends %v, want iptables and nftables", backends)
	}
	if len(labModes) < 5 || hostile < 1 {
		t.Errorf("%d labs and %d hostile runs, want at least 5 and 1", len(labModes), hostile)
	}
}

// TestLabBatteryHoldsInEveryMode is the containment claim itself: in each
// mode every case holds against the real sentry.
func TestLabBatteryHoldsInEveryMode(t *testing.T) {
	for _, m := range labModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			tl := startLab(t, m.env)
			p := tl.info.Policy
			if p.Egress != m.egress || p.DNS != m.dns || p.Intercept != m.intercept || (p.Entry != nil) != m.entry {
				t.Fatalf("lab runs egress=%s dns=%s intercept=%s entry=%t, want %s %s %s %t",
					p.Egress, p.DNS, p.Intercept, p.Entry != nil, m.egress, m.dns, m.intercept, m.entry)
			}
			runs := []bool{false}
			if m.hostile {
				runs = append(runs, true)
			}
			for _, hostile := range runs {
				cases := verify.Cases(labverify.Target(tl.info, hostile))
				rs := tl.battery(t, hostile)
				if len(cases) < 30 || len(rs) != len(cases)+1 {
					t.Errorf("hostile=%t: %d cases and %d results, want at least 30 cases, each with a result, and the forward-chain case", hostile, len(cases), len(rs))
				}
				for _, r := range rs {
					if r.Verdict == verify.Broken || r.Verdict == verify.NotRun {
						t.Errorf("hostile=%t: %s %s: %s (observed %s, moved %v)", hostile, r.Verdict, r.Case.Name, r.Why, verify.Observed(r.Observed), r.Moved)
					}
					// The second battery on one lab finds the learned server
					// already open: that case may only report then.
					relearned := hostile && r.Case.Expect.UnlessLearned != ""
					if r.Verdict == verify.Info && !r.Case.Expect.Report && !relearned {
						t.Errorf("hostile=%t: %s is info but not a report case", hostile, r.Case.Name)
					}
				}
				if !verify.AllHold(rs) {
					t.Errorf("hostile=%t: containment does not hold: %s", hostile, verify.Summary(rs))
				}
			}
		})
	}
}
