package config

import (
	"fmt"
	"net/netip"
)

// SubnetPool is where rbm start picks the enclave when RBRR_POD_SUBNET,
// RBRR_SENTRY_IP and RBRR_BOTTLE_IP are all unset: its first /24 that
// overlaps no network of the runtime and no host route. Its first /24 is
// the defaults' 10.242.0.0/24; 10.242/16 is neither Podman's 10.88/16 nor
// Docker's 172.17/16 nor a documentation range (the lab's stand-ins).
var SubnetPool = netip.MustParsePrefix("10.242.0.0/16")

// Host numbers of the sentry and the bottle in an enclave whose addresses
// are not given (.1 is the host's bridge).
const (
	sentryHost = 2
	bottleHost = 3
)

const originDefault = "default"

// EnclaveUnset reports whether the enclave is left to rbm start: the
// subnet and both addresses are at their defaults.
func (c *Config) EnclaveUnset() bool {
	for _, name := range []string{"RBRR_POD_SUBNET", "RBRR_SENTRY_IP", "RBRR_BOTTLE_IP"} {
		if c.Settings[name].Origin != originDefault {
			return false
		}
	}
	return true
}

// WithSubnet returns c with the enclave pfx (the sentry at .2, the bottle
// at .3), origin saying who chose it. It is validated again: a resolver or
// an allowed CIDR inside pfx is still reported.
func (c *Config) WithSubnet(pfx netip.Prefix, origin string) (*Config, error) {
	layer := make(map[string]Setting, len(c.Settings))
	for k, s := range c.Settings {
		layer[k] = s
	}
	layer["RBRR_POD_SUBNET"] = Setting{Value: pfx.String(), Origin: origin}
	next, _, err := Resolve(layer)
	if err != nil {
		return nil, err
	}
	next.Bottle = c.Bottle // rbm run's, set by no variable
	return next, nil
}

// EnclaveText says which enclave rbm start uses, for rbm config check.
func (c *Config) EnclaveText() string {
	if c.EnclaveUnset() {
		return fmt.Sprintf("the first /24 of %s that overlaps no network of the runtime and no host route, chosen by rbm start (%s when free); sentry .%d, bottle .%d", SubnetPool, c.Subnet, sentryHost, bottleHost)
	}
	return fmt.Sprintf("%s, sentry %s, bottle %s", c.Subnet, c.SentryIP, c.BottleIP)
}

// deriveHosts: an empty subnet or address is unset. With RBRR_POD_SUBNET given, an address left at its default
// becomes the subnet's .2 (sentry) or .3 (bottle), so a nameplate or regime
// needs the subnet alone. An unusable subnet is left for parse to report.
func deriveHosts(s map[string]Setting) {
	for _, name := range []string{"RBRR_POD_SUBNET", "RBRR_SENTRY_IP", "RBRR_BOTTLE_IP"} {
		if s[name].Value == "" { // NAME= in a file is unset too
			v, _ := Lookup(name)
			s[name] = Setting{Value: v.Default, Origin: originDefault}
		}
	}
	if s["RBRR_POD_SUBNET"].Origin == originDefault {
		return
	}
	pfx, err := netip.ParsePrefix(s["RBRR_POD_SUBNET"].Value)
	if err != nil || !pfx.Addr().Is4() || pfx != pfx.Masked() || pfx.Bits() > 29 {
		return
	}
	for name, n := range map[string]int{"RBRR_SENTRY_IP": sentryHost, "RBRR_BOTTLE_IP": bottleHost} {
		if s[name].Origin != originDefault {
			continue
		}
		a := pfx.Addr()
		for range n {
			a = a.Next()
		}
		s[name] = Setting{Value: a.String(), Origin: fmt.Sprintf("default: .%d of RBRR_POD_SUBNET", n)}
	}
}
