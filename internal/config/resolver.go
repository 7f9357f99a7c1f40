package config

import (
	"fmt"
	"net/netip"
)

// RuntimeResolverText is what rbm says on the host when RBRR_DNS_SERVER is
// unset: the address is known only inside the sentry.
const RuntimeResolverText = "the sentry's runtime resolver (from its /etc/resolv.conf)"

// NeedsRuntimeResolver reports whether the sentry must find its upstream
// itself: DNS is on and RBRR_DNS_SERVER is unset.
func (c *Config) NeedsRuntimeResolver() bool {
	return c.DNSEnabled && !c.DNSServer.IsValid()
}

// UseRuntimeResolver makes a, the resolver the sentry found in source (its
// /etc/resolv.conf), the upstream, checked as RBRR_DNS_SERVER would be.
// Only the sentry calls it; Settings keep RBRR_DNS_SERVER empty, so a
// reload looks again.
func (c *Config) UseRuntimeResolver(a netip.Addr, source string) error {
	if why := c.badResolver(a); why != "" {
		return fmt.Errorf("RBRR_DNS_SERVER is unset and the sentry's %s names %s: %s; set RBRR_DNS_SERVER to the upstream resolver's IPv4 address", source, a, why)
	}
	c.DNSServer = a
	return nil
}

// ResolverText says which upstream the sentry forwards to, for rbm config
// check and rbm start.
func (c *Config) ResolverText() string {
	switch {
	case !c.DNSEnabled:
		return "none (DNS is off)"
	case c.DNSServer.IsValid() && c.Settings["RBRR_DNS_SERVER"].Value == "":
		return c.DNSServer.String() + " (" + RuntimeResolverText + ")"
	case c.DNSServer.IsValid():
		return c.DNSServer.String() + " (RBRR_DNS_SERVER)"
	}
	return RuntimeResolverText
}

// badResolver says why a cannot be the upstream, or "".
func (c *Config) badResolver(a netip.Addr) string {
	switch {
	case !a.Is4():
		return "expected an IPv4 address (the sentry forwards over IPv4 only)"
	case c.Subnet.IsValid() && c.Subnet.Contains(a):
		return fmt.Sprintf("expected a resolver outside the enclave %s", c.Subnet)
	case !a.IsGlobalUnicast() && !a.IsPrivate():
		return "expected a unicast address (not loopback, link-local, multicast or unspecified)"
	}
	return ""
}
