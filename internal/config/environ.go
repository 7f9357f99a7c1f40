package config

import (
	"net/netip"
	"slices"
	"strings"
)

// Environ returns every variable but the bottle's (RBRN_BOTTLE_COMMAND,
// _VOLUMES, _ENV, _WORKDIR: the sentry has no use for them) as NAME=VALUE
// in the table's order, with lists normalised to single-space separated
// items. Each value has been
// validated, so it is a single line without quotes: safe to pass as
// `--env` to podman or to write into an env file for the sentry.
func (c *Config) Environ() []string {
	lists := map[string]string{
		"RBRN_UPLINK_ALLOWED_CIDRS":   joinPrefixes(c.AllowedCIDRs),
		"RBRR_HOST_ADDRESSES":         joinAddrs(c.HostAddrs),
		"RBRN_UPLINK_ALLOWED_DOMAINS": strings.Join(c.AllowedDomains, " "),
		"RBRN_DNS_REBIND_OK_DOMAINS":  strings.Join(c.RebindOKDomains, " "),
	}
	out := make([]string, 0, len(Vars))
	for _, v := range Vars {
		if slices.Contains(bottleVars, v.Name) {
			continue
		}
		val, ok := lists[v.Name]
		if !ok {
			val = c.Settings[v.Name].Value
		}
		out = append(out, v.Name+"="+val)
	}
	return out
}

func joinPrefixes(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, " ")
}
