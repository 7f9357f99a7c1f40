package config

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/recipe-bottle/rbm/internal/hostname"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// check validates relations between variables. Hard errors go to p;
// questionable but workable settings come back as warnings.
func (c *Config) check(p *parser) []string {
	c.checkAddresses(p)
	if c.NameCheck == policy.NameCheckAll && !(c.AccessEnabled && !c.AccessGlobal && c.DNSEnabled && !c.DNSGlobal) {
		p.fail("RBRN_UPLINK_NAME_CHECK", "all", "expected learned or off unless egress and DNS are both in allowlist mode (RBRN_UPLINK_ACCESS_ENABLED=true, RBRN_UPLINK_ACCESS_GLOBAL=false, RBRN_UPLINK_DNS_ENABLED=true, RBRN_UPLINK_DNS_GLOBAL=false): all checks allowed CIDRs by allowed names")
	}
	if c.NameCheck != policy.NameCheckOff && len(list(p.raw("RBRN_UPLINK_NAME_PORTS"))) == 0 {
		p.fail("RBRN_UPLINK_NAME_PORTS", "", "expected at least one port (RBRN_UPLINK_NAME_CHECK=learned checks names on them)")
	}
	// Unset, the sentry forwards to its runtime's resolver (UseRuntimeResolver).
	if c.DNSServer.IsValid() {
		if why := c.badResolver(c.DNSServer); why != "" {
			p.fail("RBRR_DNS_SERVER", c.DNSServer.String(), why)
		}
	}
	return append(c.egressWarnings(), c.dnsWarnings()...)
}

// checkAddresses: both hosts inside the subnet, distinct, and not the
// network, broadcast or first address (Podman gives .1 to the host bridge).
func (c *Config) checkAddresses(p *parser) {
	if !c.Subnet.IsValid() {
		return
	}
	if bits := c.Subnet.Bits(); bits < 8 || bits > 29 {
		p.fail("RBRR_POD_SUBNET", c.Subnet.String(), "expected a prefix length from /8 to /29 (room for the bridge, the sentry and the bottle)")
		return
	}
	for _, h := range []struct {
		name string
		a    netip.Addr
	}{{"RBRR_SENTRY_IP", c.SentryIP}, {"RBRR_BOTTLE_IP", c.BottleIP}} {
		if !h.a.IsValid() {
			continue
		}
		if why := c.badHost(h.a); why != "" {
			p.fail(h.name, h.a.String(), why)
		}
	}
	if c.SentryIP.IsValid() && c.SentryIP == c.BottleIP {
		p.fail("RBRR_BOTTLE_IP", c.BottleIP.String(), "expected an address different from RBRR_SENTRY_IP")
	}
}

func (c *Config) badHost(a netip.Addr) string {
	network := c.Subnet.Addr()
	switch {
	case !c.Subnet.Contains(a):
		return fmt.Sprintf("expected an address inside RBRR_POD_SUBNET %s", c.Subnet)
	case a == network:
		return fmt.Sprintf("is the network address of %s; expected a host address", c.Subnet)
	case a == broadcast(c.Subnet):
		return fmt.Sprintf("is the broadcast address of %s; expected a host address", c.Subnet)
	case a == network.Next():
		return fmt.Sprintf("is the first address of %s, which Podman gives to the host's bridge; expected another host address", c.Subnet)
	}
	return ""
}

func broadcast(p netip.Prefix) netip.Addr {
	b := p.Addr().As4()
	hostBits := 32 - p.Bits()
	for i := 3; i >= 0 && hostBits > 0; i-- {
		n := min(hostBits, 8)
		b[i] |= byte(1<<n - 1)
		hostBits -= n
	}
	return netip.AddrFrom4(b)
}

var linkLocal = policy.LinkLocal

// overlapsAny reports whether p overlaps a prefix of one of the lists.
func overlapsAny(p netip.Prefix, lists ...[]netip.Prefix) bool {
	for _, l := range lists {
		for _, q := range l {
			if p.Overlaps(q) {
				return true
			}
		}
	}
	return false
}

func (c *Config) egressWarnings() []string {
	var w []string
	switch {
	case !c.AccessEnabled && len(c.AllowedCIDRs) > 0:
		w = append(w, "RBRN_UPLINK_ALLOWED_CIDRS is set but RBRN_UPLINK_ACCESS_ENABLED=false: the bottle has no egress at all")
	case c.AccessEnabled && !c.AccessGlobal && len(c.AllowedCIDRs) == 0 && !c.learns():
		w = append(w, "RBRN_UPLINK_ALLOWED_CIDRS is empty and no allowed name opens its addresses (RBRN_UPLINK_DNS_ENABLED, RBRN_UPLINK_DNS_GLOBAL=false and RBRN_UPLINK_LEARN_ADDRESSES): in allowlist mode the bottle can reach nothing")
	case c.AccessEnabled && c.AccessGlobal && c.LearnAddresses && c.Settings["RBRN_UPLINK_LEARN_ADDRESSES"].Origin != "default":
		w = append(w, "RBRN_UPLINK_LEARN_ADDRESSES has no effect with RBRN_UPLINK_ACCESS_GLOBAL=true: every internet destination is allowed")
	}
	for _, pfx := range c.AllowedCIDRs {
		if c.AccessEnabled && c.AccessGlobal && !overlapsAny(pfx, policy.Private, policy.Reserved) {
			w = append(w, fmt.Sprintf("RBRN_UPLINK_ALLOWED_CIDRS entry %s is not private or reserved: with RBRN_UPLINK_ACCESS_GLOBAL=true it only matters if it holds the uplink's subnet or a host address", pfx))
		}
		if c.Subnet.IsValid() && pfx.Overlaps(c.Subnet) {
			w = append(w, fmt.Sprintf("RBRN_UPLINK_ALLOWED_CIDRS entry %s overlaps the enclave %s: traffic back into the enclave is always dropped", pfx, c.Subnet))
		}
		if pfx.Overlaps(linkLocal) {
			w = append(w, fmt.Sprintf("RBRN_UPLINK_ALLOWED_CIDRS entry %s overlaps link-local %s (cloud metadata): it is always dropped", pfx, linkLocal))
		}
	}
	return w
}

func (c *Config) dnsWarnings() []string {
	var w []string
	switch {
	case !c.DNSEnabled && len(c.AllowedDomains) > 0:
		w = append(w, "RBRN_UPLINK_ALLOWED_DOMAINS is set but RBRN_UPLINK_DNS_ENABLED=false: no name resolves")
	case c.DNSEnabled && c.DNSGlobal && len(c.AllowedDomains) > 0:
		w = append(w, "RBRN_UPLINK_DNS_GLOBAL=true: RBRN_UPLINK_ALLOWED_DOMAINS is ignored, every name resolves")
	case c.DNSEnabled && !c.DNSGlobal && len(c.AllowedDomains) == 0:
		w = append(w, "RBRN_UPLINK_ALLOWED_DOMAINS is empty: in allowlist mode every name gets NXDOMAIN")
	}
	if c.NameCheck == policy.NameCheckLearned && !(c.AccessEnabled && !c.AccessGlobal && c.learns()) {
		w = append(w, "RBRN_UPLINK_NAME_CHECK=learned has no effect: the gate checks names on learned addresses, which need RBRN_UPLINK_ACCESS_ENABLED=true, RBRN_UPLINK_ACCESS_GLOBAL=false, RBRN_UPLINK_DNS_ENABLED=true, RBRN_UPLINK_DNS_GLOBAL=false and RBRN_UPLINK_LEARN_ADDRESSES=true")
	}
	for _, d := range c.AllowedDomains {
		if hostname.PublicSuffix(d) && (strings.HasPrefix(d, "*.") || c.DNSMatch != policy.MatchExact) {
			w = append(w, fmt.Sprintf("RBRN_UPLINK_ALLOWED_DOMAINS entry %s allows a public suffix as a whole: every name anyone registers under it resolves; list the names you mean", d))
		}
	}
	for _, d := range c.RebindOKDomains {
		if !c.DNSGlobal && !policy.InAnyDomain(d, c.AllowedDomains) {
			w = append(w, fmt.Sprintf("RBRN_DNS_REBIND_OK_DOMAINS entry %s is not inside any allowed domain: it has no effect", d))
		}
	}
	return w
}

// learns reports whether allowed names open their addresses: learning on,
// with DNS in allowlist mode.
func (c *Config) learns() bool {
	return c.LearnAddresses && c.DNSEnabled && !c.DNSGlobal
}
