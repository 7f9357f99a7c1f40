package config

import (
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/presets"
)

// allowedDomains parses RBRN_UPLINK_ALLOWED_DOMAINS: names, "*.d", and
// "@preset". A preset is expanded here, on the host, into its names, each
// checked like a name written by hand: the sentry (whose image may be
// another rbm version) only ever receives plain names. It returns the
// names and the presets used, in the order written.
func (p *parser) allowedDomains(name string) (domains, used []string) {
	seen := map[string]bool{}
	add := func(item string) {
		if d, ok := p.domain(name, item, true); ok && !seen[d] {
			seen[d] = true
			domains = append(domains, d)
		}
	}
	for _, item := range list(p.raw(name)) {
		if !strings.HasPrefix(item, "@") {
			add(item)
			continue
		}
		pr, ok := presets.Lookup(strings.ToLower(item))
		if !ok {
			p.fail(name, item, "expected a known preset: "+presets.Known()+" (rbm presets lists them and their names)")
			continue
		}
		if !slices.Contains(used, pr.Name) {
			used = append(used, pr.Name)
		}
		for _, n := range pr.Names {
			add(n)
		}
	}
	return domains, used
}
