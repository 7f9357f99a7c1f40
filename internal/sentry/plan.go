package sentry

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/recipe-bottle/rbm/internal/dns"
	"github.com/recipe-bottle/rbm/internal/dnsguard"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/sysctls"
)

// Plan is everything a sentry applies for one policy on one set of
// interfaces: built in one place (NewPlan), applied by start and reload,
// printed by rbm render, so what is shown is what is loaded.
type Plan struct {
	Policy     policy.Policy
	Interfaces firewall.Interfaces
	// Rules are both families' rules and sets, in the backend's documents.
	Rules firewall.Ruleset
	// Dnsmasq is dnsmasq's configuration; "" with DNS off (nothing runs).
	Dnsmasq string
	// Sysctls are the kernel settings, forwarding last.
	Sysctls []sysctls.Setting
	// Guard is the DNS guard's rules (it runs when Dnsmasq is not "").
	Guard dnsguard.Rules
	// Gate says whether the name gate runs (the policy checks names).
	Gate bool
}

// NewPlan builds the plan of p on ifs for backend fw; pure (fw only
// renders). ifs must be validated (FindInterfaces, or rbm render's flags).
func NewPlan(fw firewall.Backend, p policy.Policy, ifs firewall.Interfaces) Plan {
	return Plan{
		Policy:     p,
		Interfaces: ifs,
		Rules:      fw.Render(p, ifs),
		Dnsmasq:    dns.RenderDnsmasq(p, learnSet(fw)),
		Sysctls:    planSysctls(p, ifs),
		Guard:      guardRules(p),
		Gate:       p.GateChecks(),
	}
}

// Plan document names after the backend's own.
const (
	DocDnsmasq = "dnsmasq"
	DocSysctl  = "sysctl"
	DocParts   = "parts"
)

// Docs are the plan as documents, the backend's first: what rbm render
// prints.
func (pl Plan) Docs() []firewall.Doc {
	docs := append([]firewall.Doc(nil), pl.Rules.Docs...)
	var sys strings.Builder
	for _, s := range pl.Sysctls {
		fmt.Fprintln(&sys, s)
	}
	return append(docs,
		firewall.Doc{Name: DocDnsmasq, Text: pl.Dnsmasq},
		firewall.Doc{Name: DocSysctl, Text: sys.String()},
		firewall.Doc{Name: DocParts, Text: pl.partsText()})
}

// partsText says which of the sentry's own parts run, and how.
func (pl Plan) partsText() string {
	var b strings.Builder
	if pl.Dnsmasq == "" {
		b.WriteString("dns-guard off (DNS is disabled)\n")
	} else {
		names := "every name goes to dnsmasq"
		if pl.Guard.Allowed != nil {
			names = "names outside the allowlist are NXDOMAIN from the guard"
		}
		fmt.Fprintf(&b, "dns-guard %s -> dnsmasq %s: %s\n", netip.AddrPortFrom(pl.Policy.SentryIP, 53), dns.Backend, names)
	}
	if pl.Gate {
		fmt.Fprintf(&b, "name-gate on: checked connections are redirected to port %d\n", firewall.GatePort)
	} else {
		b.WriteString("name-gate off (the policy checks no names)\n")
	}
	return b.String()
}
