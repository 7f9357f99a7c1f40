package run

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/config"
)

func TestCheckLayer(t *testing.T) {
	dir := t.TempDir()
	s, err := Flags{
		Allow: []string{"@github,pypi.org", "*.npm.test"}, AllowCIDR: []string{"203.0.113.0/24"},
		Env: []string{"TOKEN", "A=b=c", "EMPTY="}, Volumes: []string{dir + ":/work:ro"},
		Workdir: "/work", Runtime: "docker", Deny: "reject", Publish: "127.0.0.1:8888:80",
	}.Check("localhost/img:1")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"RBRN_BOTTLE_IMAGE":           "localhost/img:1",
		"RBRN_UPLINK_ALLOWED_DOMAINS": "@github pypi.org *.npm.test",
		"RBRN_UPLINK_DNS_ENABLED":     "true",
		"RBRN_UPLINK_ACCESS_ENABLED":  "true",
		"RBRN_UPLINK_ALLOWED_CIDRS":   "203.0.113.0/24",
		"RBRN_UPLINK_DENY":            "reject",
		"RBRR_RUNTIME":                "docker",
		"RBRN_ENTRY_ENABLED":          "true",
		"RBRN_ENTRY_PORT_WORKSTATION": "8888",
		"RBRN_ENTRY_PORT_ENCLAVE":     "80",
		"RBRN_ENTRY_BIND_ADDRESS":     "127.0.0.1",
	}
	for k, v := range want {
		if got := s.Layer[k].Value; got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if len(s.Layer) != len(want) {
		t.Errorf("layer has %d settings, want %d: %v", len(s.Layer), len(want), s.Layer)
	}
	var args []string
	for _, e := range s.Env {
		args = append(args, e.Arg())
	}
	if strings.Join(args, " ") != "TOKEN A=b=c EMPTY=" {
		t.Errorf("env args = %q: a bare name must stay bare (the runtime takes the host's value)", args)
	}
	if len(s.Volumes) != 1 || s.Volumes[0].Arg() != dir+":/work:ro" {
		t.Errorf("volumes = %+v", s.Volumes)
	}
}

func TestCheckRefusesAndNamesEveryFlag(t *testing.T) {
	_, err := Flags{
		Allow: []string{"@No_Such"}, AllowCIDR: []string{"2001:db8::/32", "1.2.3"},
		Env: []string{"1BAD=secret-value", "A-B"}, Volumes: []string{"/nonexistent-rbm-test:/x", "/:rel", "/", "/:/x:rx"},
		Workdir: "rel", Runtime: "lxc", Deny: "bounce", Publish: "65536:80",
	}.Check("-oops")
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *config.Error", err)
	}
	var flags []string
	for _, p := range ce.Problems {
		flags = append(flags, p.Var)
	}
	if got := strings.Join(flags, " "); got != "IMAGE --allow --allow-cidr --allow-cidr --deny --runtime -p -e -e -v -v -v -v -w" {
		t.Errorf("problems name %q", got)
	}
	if strings.Contains(err.Error(), "secret-value") {
		t.Errorf("an -e value is in the error: %v", err)
	}
}

func TestCheckGlobalAndNothing(t *testing.T) {
	s, err := Flags{Global: true}.Check("img")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"RBRN_UPLINK_ACCESS_GLOBAL", "RBRN_UPLINK_DNS_GLOBAL", "RBRN_UPLINK_ACCESS_ENABLED", "RBRN_UPLINK_DNS_ENABLED"} {
		if s.Layer[k].Value != "true" {
			t.Errorf("--global: %s = %q", k, s.Layer[k].Value)
		}
	}
	s, err = Flags{}.Check("img")
	if err != nil || len(s.Layer) != 1 {
		t.Errorf("no flags: layer %v, err %v; want only the image (the bottle has no network)", s.Layer, err)
	}
}

func TestMonikerFitsTheRule(t *testing.T) {
	re := regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,30}$`) // config's moniker rule
	seen := map[string]bool{}
	for range 50 {
		m, err := NewMoniker([]string{"run-00000000"})
		if err != nil || !re.MatchString(m) || seen[m] {
			t.Fatalf("moniker %q (err %v): invalid or repeated", m, err)
		}
		seen[m] = true
	}
}

func TestParseDefault(t *testing.T) {
	argv, err := parseDefault(`["/entry.sh"]`+"\t"+`["serve","--x"]`+"\n", "img")
	if err != nil || strings.Join(argv, " ") != "/entry.sh serve --x" {
		t.Errorf("argv %q, err %v", argv, err)
	}
	if _, err := parseDefault("null\tnull\n", "img"); err == nil || !strings.Contains(err.Error(), "give one after --") {
		t.Errorf("no default command: err %v", err)
	}
	if _, err := parseDefault("garbage", "img"); err == nil {
		t.Error("garbage accepted")
	}
}

func TestPublish(t *testing.T) {
	for v, ok := range map[string]bool{
		"8080:80": true, "0.0.0.0:1:65535": true, "80": false, "0:80": false, "08:80": false,
		"::1:80:80": false, "a:80:80": false, "1:2:3:4": false, "65536:1": false, "": false,
	} {
		got := publish(v, func(string, string) {})
		if got != ok {
			t.Errorf("-p %q: ok = %v, want %v", v, got, ok)
		}
	}
}

func TestEnvWarnings(t *testing.T) {
	s, err := Flags{Env: []string{"SET", "UNSET", "GIVEN=v"}, Global: true}.Check("img")
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(name string) (string, bool) { return "x", name == "SET" }
	got := s.EnvWarnings(lookup)
	if len(got) != 1 || !strings.Contains(got[0], "-e UNSET: UNSET is not set in rbm's environment") {
		t.Errorf("warnings %q, want one for UNSET only", got)
	}
}
