// Package policytest enumerates the policy's modes for tests: both firewall
// backends render a golden file per mode under the same names. It is
// imported by tests only.
package policytest

import (
	"fmt"

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
}

// Modes lists every combination, in a fixed order.
func Modes() []Mode {
	var out []Mode
	for _, eg := range []policy.Egress{policy.EgressNone, policy.EgressGlobal, policy.EgressAllowlist} {
		for _, dns := range []policy.DNS{policy.DNSOff, policy.DNSGlobal, policy.DNSAllowlist} {
			for _, entry := range []bool{false, true} {
				for _, ic := range []policy.Intercept{policy.InterceptRedirect, policy.InterceptReject} {
					on := map[bool]string{false: "off", true: "on"}[entry]
					out = append(out, Mode{fmt.Sprintf("egress-%s_dns-%s_entry-%s_%s", eg, dns, on, ic), eg, dns, entry, ic, policy.DenyDrop})
				}
			}
		}
	}
	// Denials that fail fast change the denial rules only: one mode that
	// holds all of them shows it.
	out = append(out, Mode{"egress-allowlist_dns-allowlist_entry-on_redirect_deny-reject", policy.EgressAllowlist, policy.DNSAllowlist, true, policy.InterceptRedirect, policy.DenyReject})
	return out
}
