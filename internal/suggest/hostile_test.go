package suggest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/dns"
	"github.com/recipe-bottle/rbm/internal/dnsguard"
	"github.com/recipe-bottle/rbm/internal/events"
)

// hostileNames are refused names a bottle can make the sentry record:
// none may be proposed, and none may make the output do anything.
var hostileNames = []string{
	"hidden exfil.allowed.test", "ctl\x01.test", "esc\x1b[2J\x1b[31m.test", "z$({touch,MARK}).test", "z$(touch MARK).test",
	"b`touch MARK`.test", "q'; touch MARK; '.test", `d"; touch MARK; ".test`, "h#ash.test", "e=q.test",
	"nl\ntouch MARK\n.test", "cr\r.test", "del\x7f.test", "c1\u009b.test", "a*.test",
	"invalid", "test", "local", "localhost", "arpa", "example", "x.onion", "rbm-ready." + dns.ReadyDomain,
	"com", "co.uk", "github.io",
}

func hostileReport() (Report, Current) {
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	evs := []events.Event{{Time: t0, Kind: events.DNS, Name: "good.test", Verdict: events.NotAllowed}}
	for _, n := range hostileNames {
		evs = append(evs,
			events.Event{Time: t0, Kind: events.DNS, Name: n, Verdict: events.NotAllowed},
			events.Event{Time: t0, Kind: events.Deny, Rule: "rbm:gate-name", Proto: "tls", Dst: "198.51.100.7", Port: 443, Name: n},
			events.Event{Time: t0, Kind: events.Deny, Rule: "rbm:fwd-drop", Proto: "tcp", Dst: "203.0.113.9", Port: 443, Name: n},
			events.Event{Time: t0, Kind: events.Deny, Rule: "rbm:" + n, Proto: "tcp", Dst: "203.0.113.10", Port: 22})
	}
	return Build(evs), Current{Domains: []string{"allowed.test", "*.cdn.test"}}
}

// TestHostileNamesNotProposed: only the host name is proposed; every
// other refused name is listed as withheld, escaped, with why.
func TestHostileNamesNotProposed(t *testing.T) {
	r, cur := hostileReport()
	if len(r.Names) != 1 || r.Names[0].Value != "good.test" {
		t.Errorf("proposed %+v, want good.test only", r.Names)
	}
	if len(r.Withheld) != len(hostileNames) {
		t.Errorf("withheld %d names, want %d", len(r.Withheld), len(hostileNames))
	}
	var b strings.Builder
	r.Print(&b, cur)
	out := b.String()
	for _, want := range []string{
		"RBRN_UPLINK_ALLOWED_DOMAINS='allowed.test *.cdn.test good.test'\n",
		"RBRN_UPLINK_ALLOWED_CIDRS='203.0.113.9/32'\n",
		`#   hidden\032exfil.allowed.test`, `esc\027[2J\027[31m.test`, `nl\010touch\032MARK\010.test`, "not a host name",
		"#   invalid ", "a special-use name", "#   co.uk ", "a public suffix as a whole", "and 6 more names",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		for _, c := range []byte(line) {
			if c < 0x20 || c >= 0x7f {
				t.Fatalf("line %d %q holds byte %#x", i+1, line, c)
			}
		}
		if line != "" && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "RBRN_UPLINK_ALLOWED_") {
			t.Errorf("line %d is neither a comment nor a setting: %q", i+1, line)
		}
	}
}

// TestOutputInertInShell sources the output with sh in a temp dir: no
// command runs (no MARK file), and sh reads what rbm's parser reads.
func TestOutputInertInShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH")
	}
	r, cur := hostileReport()
	var b strings.Builder
	r.Print(&b, cur)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "proposed.env"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sh, "-c", `set -a; . ./proposed.env && printf '%s\n%s' "$RBRN_UPLINK_ALLOWED_DOMAINS" "$RBRN_UPLINK_ALLOWED_CIDRS"`)
	cmd.Dir, cmd.Env = dir, []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sh: %v: %s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "MARK")); err == nil {
		t.Fatal("sourcing the output ran a command (MARK exists)")
	}
	parsed, err := config.ParseEnvFile("proposed.env", b.String())
	if err != nil {
		t.Fatalf("rbm's parser: %v", err)
	}
	want := parsed["RBRN_UPLINK_ALLOWED_DOMAINS"].Value + "\n" + parsed["RBRN_UPLINK_ALLOWED_CIDRS"].Value
	if string(out) != want || len(parsed) != 2 {
		t.Errorf("sh reads %q, rbm reads %q (%d settings)", out, want, len(parsed))
	}
}

// TestProposedAsConfigReadsIt: names differing in case or a final dot are
// one name, and a host name config check would refuse ('_', an edge
// hyphen) is withheld, not proposed.
func TestProposedAsConfigReadsIt(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	var evs []events.Event
	for _, n := range []string{"PyPI.test", "pypi.test.", "pypi.test", "_dmarc.mail.test", "-edge.test"} {
		evs = append(evs, events.Event{Time: t0, Kind: events.DNS, Name: n, Verdict: events.NotAllowed})
	}
	r := Build(evs)
	if len(r.Names) != 1 || r.Names[0].Value != "pypi.test" || r.Names[0].Count != 3 {
		t.Errorf("proposed %+v, want pypi.test three times", r.Names)
	}
	if len(r.Withheld) != 2 || r.Withheld[0].Why != notAllowable || r.Withheld[1].Why != notAllowable {
		t.Errorf("withheld %+v, want the two names config refuses", r.Withheld)
	}
}

// TestGuardRefusalsWithheld: names the DNS guard refused (already escaped
// by it) are listed as not host names, never proposed.
func TestGuardRefusalsWithheld(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	r := Build([]events.Event{
		{Time: t0, Kind: events.DNS, Name: `hidden\032exfil.allowed.test`, Verdict: dnsguard.NotHostName},
		{Time: t0, Kind: events.DNS, Name: `hidden\032exfil.allowed.test`, Verdict: dnsguard.NotHostName},
		{Time: t0, Kind: events.DNS, Name: "other.test", Verdict: events.NotAllowed},
	})
	if len(r.Names) != 1 || len(r.Withheld) != 1 || r.Withheld[0].Count != 2 || r.Withheld[0].Why != notHostName {
		t.Fatalf("names %+v, withheld %+v; want other.test proposed and the guard's refusal withheld twice", r.Names, r.Withheld)
	}
	var b strings.Builder
	r.Print(&b, Current{})
	if out := b.String(); !strings.Contains(out, `#   hidden\032exfil.allowed.test`) || !strings.Contains(out, "1 refused names not proposed") {
		t.Errorf("output:\n%s", out)
	}
}
