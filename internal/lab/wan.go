package lab

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"

	"github.com/recipe-bottle/rbm/internal/standin"
)

// Ports of the wan's TCP and UDP echo servers on the allowed and forbidden
// servers (443 is the web server's; a UDP probe to a closed port still
// shows whether the sentry forwarded it: refused, not a timeout).
var echoPorts = []uint16{22, 8443}

// wanConfig is what the stand-in internet serves for this lab.
func wanConfig(info *Info) standin.Config {
	a := info.Addresses
	c := standin.Config{
		Resolver:    standin.Resolver{Addr: a.Upstream.String(), Records: map[string][]string{}},
		Foreign:     []string{a.Foreign.String()},
		CAFile:      info.CAFile,
		StatsSocket: info.Stats,
	}
	for name, addr := range info.Records {
		c.Resolver.Records[name] = []string{addr}
	}
	c.Resolver.CNAMEs = cnames(info.Policy)
	for _, x := range []netip.Addr{a.Allowed, a.Forbidden, a.Learned, a.Learned2, a.Host} {
		if !x.IsValid() {
			continue
		}
		c.Web = append(c.Web, x.String())
		for _, p := range echoPorts {
			c.Echo = append(c.Echo, netip.AddrPortFrom(x, p).String())
		}
	}
	return c
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
