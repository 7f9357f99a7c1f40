package sentry

import (
	"slices"
	"testing"

	"github.com/recipe-bottle/rbm/internal/dns"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/backends"
)

func TestPlanHoldsEveryPartOnce(t *testing.T) {
	ifs := firewall.Interfaces{Enclave: "enc0", Uplink: "up0"}
	for _, name := range backends.Names {
		fw, _ := backends.New(name, nil)
		for _, cfg := range [][]string{{"RBRN_UPLINK_DNS_ENABLED=false"}, {"RBRN_UPLINK_DNS_ENABLED=true", "RBRN_UPLINK_ALLOWED_DOMAINS=allowed.test", "RBRR_DNS_SERVER=198.51.100.53"}} {
			p := mustConfig(t, cfg...).Policy()
			pl := NewPlan(fw, p, ifs)
			if pl.Dnsmasq != dns.RenderDnsmasq(p, learnSet(fw)) || pl.Gate != p.GateChecks() {
				t.Errorf("%s %v: the plan's dnsmasq or gate is not the policy's", name, cfg)
			}
			var names []string
			for _, d := range pl.Docs() {
				names = append(names, d.Name)
			}
			want := append(docNames(fw.Render(p, ifs)), DocDnsmasq, DocSysctl, DocParts)
			if !slices.Equal(names, want) {
				t.Errorf("%s: documents %q, want %q", name, names, want)
			}
		}
	}
}

func docNames(rs firewall.Ruleset) []string {
	var out []string
	for _, d := range rs.Docs {
		out = append(out, d.Name)
	}
	return out
}
