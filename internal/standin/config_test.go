package standin

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "standin.json")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfig(t *testing.T) {
	c, err := LoadConfig(writeFile(t, `{
		"resolver": {"addr": "192.0.2.53", "records": {"web.test": ["192.0.2.10", "2001:db8::10"]}},
		"foreign": ["203.0.113.53"], "web": ["192.0.2.10"], "echo": ["198.51.100.7:443"],
		"ca_file": "/run/ca.pem", "stats_socket": "/run/standin.sock"}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Resolver.Records["web.test"][1] != "2001:db8::10" || c.Echo[0] != "198.51.100.7:443" || c.StatsSocket == "" {
		t.Errorf("decoded %+v", c)
	}
}

func TestLoadConfigRejects(t *testing.T) {
	cases := map[string][]string{
		// Every problem is reported at once, each naming field and value.
		// Records are answers only, so example.com -> 10.0.0.1 is fine.
		`{"resolver": {"addr": "100.64.0.53", "records": {"example.com": ["10.0.0.1"], "ok.test": ["nope"]}},
		  "foreign": ["100.64.1.1"], "echo": ["192.0.2.1", "192.0.2.1:0", "10.1.1.1:53"], "web": ["127.0.0.1"]}`: {
			`resolver.addr "100.64.0.53": not a documentation address`,
			`resolver.records[ok.test] "nope": not an IP address`,
			`foreign "100.64.1.1"`,
			`echo "192.0.2.1": want addr:port`,
			`echo "192.0.2.1:0": port "0"`,
			`echo "10.1.1.1:53": not a documentation address`,
		},
		`{"resolver": {"records": {"a\nserver=1.2.3.4.test": ["192.0.2.1"]}}}`: {"not a domain name"},
		`{"webs": ["192.0.2.10"]}`: {`unknown field "webs"`},
	}
	for text, wants := range cases {
		_, err := LoadConfig(writeFile(t, text))
		if err == nil {
			t.Errorf("accepted %s", text)
			continue
		}
		for _, w := range wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q\n lacks %q", err, w)
			}
		}
	}
}
