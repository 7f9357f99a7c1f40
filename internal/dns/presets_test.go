package dns

import (
	"slices"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/config"
)

// TestPresetRendersServerLines: a nameplate naming @github renders the
// dnsmasq server= lines of its names, as the host hands them to the
// sentry (plain names; nothing with @ reaches the file). Under subdomain
// matching the names under github.com collapse into github.com's line.
func TestPresetRendersServerLines(t *testing.T) {
	for match, want := range map[string][]string{
		"subdomains": {
			"server=/github.com/198.51.100.53",
			"server=/objects.githubusercontent.com/198.51.100.53",
			"server=/raw.githubusercontent.com/198.51.100.53",
			"server=/release-assets.githubusercontent.com/198.51.100.53",
		},
		"exact": {
			"server=/api.github.com/198.51.100.53", "server=/*.api.github.com/",
			"server=/codeload.github.com/198.51.100.53", "server=/*.codeload.github.com/",
			"server=/github.com/198.51.100.53", "server=/*.github.com/",
			"server=/objects.githubusercontent.com/198.51.100.53", "server=/*.objects.githubusercontent.com/",
			"server=/raw.githubusercontent.com/198.51.100.53", "server=/*.raw.githubusercontent.com/",
			"server=/release-assets.githubusercontent.com/198.51.100.53", "server=/*.release-assets.githubusercontent.com/",
			"server=/uploads.github.com/198.51.100.53", "server=/*.uploads.github.com/",
		},
	} {
		c, _, err := config.Resolve(map[string]config.Setting{
			"RBRR_DNS_SERVER":             {Value: "198.51.100.53"},
			"RBRN_UPLINK_DNS_ENABLED":     {Value: "true"},
			"RBRN_UPLINK_ALLOWED_DOMAINS": {Value: "@github"},
			"RBRN_DNS_MATCH":              {Value: match},
		})
		if err != nil {
			t.Fatal(err)
		}
		conf := RenderDnsmasq(c.Policy(), testLearnSet)
		var got []string
		for _, l := range strings.Split(conf, "\n") {
			if strings.HasPrefix(l, "server=/") && l != "server=/invalid/" {
				got = append(got, l)
			}
		}
		if !slices.Equal(got, want) || strings.Contains(conf, "@") {
			t.Errorf("%s: server lines\n%s\nwant\n%s", match, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
