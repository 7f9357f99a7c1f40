package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/presets"
)

func allowing(domains string) map[string]Setting {
	return settings("RBRN_UPLINK_DNS_ENABLED", "true", "RBRN_UPLINK_ALLOWED_DOMAINS", domains)
}

func TestPresetExpandsAmongPlainNames(t *testing.T) {
	c, _, err := Resolve(base, allowing("a.test @go,*.b.test @GitHub"))
	if err != nil {
		t.Fatal(err)
	}
	gh, _ := presets.Lookup("github")
	want := append([]string{"a.test", "proxy.golang.org", "sum.golang.org", "*.b.test"}, gh.Names...)
	if !slices.Equal(c.AllowedDomains, want) {
		t.Errorf("AllowedDomains = %v, want %v", c.AllowedDomains, want)
	}
	if !slices.Equal(c.Presets, []string{"go", "github"}) {
		t.Errorf("Presets = %v, want [go github]", c.Presets)
	}
	if len(c.AllowedCIDRs) != 0 {
		t.Errorf("a preset opened CIDRs: %v", c.AllowedCIDRs)
	}
}

// TestSentryGetsPlainNames: what the host hands the sentry (Environ, as
// --env or a staged reload) holds the names, never an @, and reads the same
// as the names written by hand, so a reload between the two changes nothing.
func TestSentryGetsPlainNames(t *testing.T) {
	viaPreset, _, err := Resolve(base, allowing("@go a.test"))
	if err != nil {
		t.Fatal(err)
	}
	byHand, _, err := Resolve(base, allowing("proxy.golang.org sum.golang.org a.test"))
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range viaPreset.Environ() {
		if strings.Contains(kv, "@") {
			t.Errorf("the sentry would receive %q", kv)
		}
	}
	if in, restart := viaPreset.Changes(byHand); len(in)+len(restart) > 0 {
		t.Errorf("a preset differs from its names written by hand: %v %v", in, restart)
	}
}

func TestPresetDuplicatesCollapse(t *testing.T) {
	c, _, err := Resolve(base, allowing("@go proxy.golang.org @go"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.AllowedDomains, []string{"proxy.golang.org", "sum.golang.org"}) || !slices.Equal(c.Presets, []string{"go"}) {
		t.Errorf("AllowedDomains = %v, Presets = %v", c.AllowedDomains, c.Presets)
	}
}

func TestUnknownPresetNamesTheKnownOnes(t *testing.T) {
	_, _, err := Resolve(base, allowing("a.test @nosuch @"))
	ps := problemsOf(t, err)
	if len(ps) != 2 {
		t.Fatalf("want 2 problems (@nosuch and @), got %v", ps)
	}
	p := ps[0]
	if p.Var != "RBRN_UPLINK_ALLOWED_DOMAINS" || p.Value != "@nosuch" {
		t.Errorf("problem names %s=%q", p.Var, p.Value)
	}
	for _, want := range []string{"@anthropic", "@github", "@docker-hub", "rbm presets"} {
		if !strings.Contains(p.Want, want) {
			t.Errorf("%q does not mention %s", p.Want, want)
		}
	}
}

// TestPresetsOnlyWhereNamesAllow: an @ anywhere else is an error naming
// the variable, not a silent expansion.
func TestPresetsOnlyWhereNamesAllow(t *testing.T) {
	for variable, want := range map[string]string{
		"RBRN_DNS_REBIND_OK_DOMAINS": "RBRN_UPLINK_ALLOWED_DOMAINS only",
		"RBRN_UPLINK_ALLOWED_CIDRS":  "IPv4 CIDR",
	} {
		_, _, err := Resolve(base, allowing("@github"), settings(variable, "@github"))
		ps := problemsOf(t, err)
		if len(ps) != 1 || ps[0].Var != variable || !strings.Contains(ps[0].Want, want) {
			t.Errorf("%s=@github: got %v, want one problem saying %q", variable, ps, want)
		}
	}
}

// TestEveryPresetPassesTheNameCheck: a preset's names go through the same
// check as names written by hand, and come out unchanged.
func TestEveryPresetPassesTheNameCheck(t *testing.T) {
	for _, p := range presets.All() {
		c, _, err := Resolve(base, allowing("@"+p.Name))
		if err != nil {
			t.Errorf("@%s: %v", p.Name, err)
			continue
		}
		if !slices.Equal(c.AllowedDomains, p.Names) {
			t.Errorf("@%s expanded to %v, want %v", p.Name, c.AllowedDomains, p.Names)
		}
	}
}
