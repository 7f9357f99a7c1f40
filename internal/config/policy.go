package config

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/recipe-bottle/rbm/internal/policy"
)

// Policy resolves the configuration into the value the sentry enforces.
func (c *Config) Policy() policy.Policy {
	p := policy.Policy{
		SentryIP:  c.SentryIP,
		BottleIP:  c.BottleIP,
		Subnet:    c.Subnet,
		Egress:    policy.EgressNone,
		DNS:       policy.DNSOff,
		Upstream:  c.DNSServer,
		Intercept: c.Intercept,
		Deny:      c.Deny,
		HostAddrs: slices.Clone(c.HostAddrs),
	}
	if c.AccessEnabled {
		p.Egress = policy.EgressAllowlist
		if c.AccessGlobal {
			p.Egress = policy.EgressGlobal // the CIDRs open what its guards refuse
		}
		p.AllowedCIDRs = slices.Clone(c.AllowedCIDRs)
		slices.SortFunc(p.AllowedCIDRs, func(a, b netip.Prefix) int {
			return cmp.Or(a.Addr().Compare(b.Addr()), a.Bits()-b.Bits())
		})
	}
	if c.LearnAddresses {
		p.Learn = policy.Learn{Enabled: true, Lifetime: time.Duration(c.LearnLifetime) * time.Second, Max: int(c.LearnMax)}
	}
	p.Gate = policy.Gate{Check: c.NameCheck, Ports: sortedPorts(c.NamePorts), LearnPorts: sortedPorts(c.LearnPorts), AllowECH: c.NameECH == "allow"}
	if c.DNSEnabled {
		p.DNS = policy.DNSAllowlist
		if c.DNSGlobal {
			p.DNS = policy.DNSGlobal
		} else {
			p.AllowedDomains = sortedDomains(c.AllowedDomains)
			p.Match = c.DNSMatch
		}
		p.RebindOK = sortedDomains(c.RebindOKDomains)
	}
	if c.EntryEnabled {
		p.Entry = &policy.Entry{WorkstationPort: c.EntryPortWorkstation, EnclavePort: c.EntryPortEnclave, HostOnly: c.EntryBind.IsLoopback()}
	}
	return p
}

func sortedPorts(ps []uint16) []uint16 {
	out := slices.Clone(ps)
	slices.Sort(out)
	return out
}

func sortedDomains(d []string) []string {
	out := slices.Clone(d)
	slices.SortFunc(out, strings.Compare)
	return out
}
