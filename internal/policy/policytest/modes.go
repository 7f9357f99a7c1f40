// Package policytest enumerates the policy's modes for tests: both firewall
// backends render a golden file per mode under the same names. It is
// imported by tests only.
package policytest

import (
	"fmt"
	"time"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// Mode is one combination of egress, DNS, entry port and interception.
type Mode struct {
	Name      string // "egress-allowlist_dns-off_entry-on_reject": a golden file's stem
	Egress    policy.Egress
	DNS       policy.DNS
	Entry     bool
	Intercept policy.Intercept
	Deny      policy.Deny
	// Gate, when its Check is set, turns learning on too: the gate checks
	// learned addresses only.
	Gate policy.Gate
}

// Modes lists every combination, in a fixed order.
func Modes() []Mode {
	var out []Mode
	for _, eg := range []policy.Egress{policy.EgressNone, policy.EgressGlobal, policy.EgressAllowlist} {
		for _, dns := range []policy.DNS{policy.DNSOff, policy.DNSGlobal, policy.DNSAllowlist} {
			for _, entry := range []bool{false, true} {
				for _, ic := range []policy.Intercept{policy.InterceptRedirect, policy.InterceptReject} {
					on := map[bool]string{false: "off", true: "on"}[entry]
					out = append(out, Mode{fmt.Sprintf("egress-%s_dns-%s_entry-%s_%s", eg, dns, on, ic), eg, dns, entry, ic, policy.DenyDrop, policy.Gate{}})
				}
			}
		}
	}
	// Denials that fail fast change the denial rules only: one mode that
	// holds all of them shows it.
	out = append(out, Mode{"egress-allowlist_dns-allowlist_entry-on_redirect_deny-reject", policy.EgressAllowlist, policy.DNSAllowlist, true, policy.InterceptRedirect, policy.DenyReject, policy.Gate{}})
	// The name gate adds rules to nat, input, output and the learned
	// forward rule: one mode with it on shows them.
	gate := policy.Gate{Check: policy.NameCheckLearned, Ports: []uint16{80, 443}, LearnPorts: []uint16{22, 80, 443}}
	out = append(out, Mode{"egress-allowlist_dns-allowlist_entry-off_redirect_name-learned", policy.EgressAllowlist, policy.DNSAllowlist, false, policy.InterceptRedirect, policy.DenyDrop, gate})
	gate.Check = policy.NameCheckAll
	out = append(out, Mode{"egress-allowlist_dns-allowlist_entry-off_redirect_name-all", policy.EgressAllowlist, policy.DNSAllowlist, false, policy.InterceptRedirect, policy.DenyDrop, gate})
	return out
}

// Apply sets m's denial and gate settings on p (learning on with the gate).
func (m Mode) Apply(p *policy.Policy) {
	p.Deny = m.Deny
	if m.Gate.Check != "" {
		p.Gate = m.Gate
		p.Learn = policy.Learn{Enabled: true, Lifetime: 600 * time.Second, Max: 65536}
	}
}
