package lab_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/dnsguard"
	"github.com/recipe-bottle/rbm/internal/events"
)

// TestE2EHostileNamesShownSafely: names a bottle asks for that hold a
// space, an escape sequence, $(...), a backtick or quotes reach rbm
// observe escaped (printable ASCII only; the observer checks every line),
// and rbm suggest lists them escaped without proposing them; its output
// sourced by sh runs nothing and reads as rbm's parser reads it.
func TestE2EHostileNamesShownSafely(t *testing.T) {
	tl := startLab(t, "")
	p, sentryIP := tl.info.Policy, tl.info.Policy.SentryIP.String()
	allowed := p.AllowedDomains[0]
	o := tl.observe(t)
	hostile := []string{`hidden\032exfil.` + allowed, `esc\027[2J.` + allowed, `z$\(touch\032MARK\).test`,
		"tick`touch\\032MARK`.test", `q\"uote'\;touch\032MARK.test`, `nl\010touch\032MARK.test`}
	for _, name := range hostile {
		wantAnswer(t, tl.probes(t, false, dnsSpec(sentryIP, name, false, passTimeout))[0], "REFUSED")
		e := o.await(t, 2*time.Second, name, func(e events.Event) bool { return e.Kind == events.DNS && strings.Contains(e.Name, "\\") })
		if e.Verdict != dnsguard.NotHostName {
			t.Errorf("%s: event %+v, want %q", name, e, dnsguard.NotHostName)
		}
	}
	out, err := run(t.Context(), "", tl.rbm, "suggest", "--lab", "--prefix", tl.lab.Prefix)
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	if !strings.Contains(text, `#   hidden\032exfil.`+allowed) || !strings.Contains(text, "not a host name") {
		t.Errorf("rbm suggest does not list the refused names escaped:\n%s", text)
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "RBRN_") && strings.Contains(line, `\`) {
			t.Errorf("rbm suggest proposes a hostile name: %q", line)
		}
	}
	sourceInert(t, text)
}

// sourceInert sources text with sh in a temp dir: nothing runs (no MARK
// file) and every variable sh sets reads as rbm's env-file parser reads it.
func sourceInert(t *testing.T, text string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "proposed.env"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	parsed, err := config.ParseEnvFile("proposed.env", text)
	if err != nil {
		t.Fatalf("rbm's parser refuses rbm suggest's output: %v", err)
	}
	for key, s := range parsed {
		cmd := exec.Command("sh", "-c", `set -a; . ./proposed.env && printf %s "$`+key+`"`)
		cmd.Dir, cmd.Env = dir, []string{"PATH=" + os.Getenv("PATH")}
		got, err := cmd.Output()
		if err != nil || string(got) != s.Value {
			t.Errorf("%s: sh reads %q (%v), rbm reads %q", key, got, err, s.Value)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "MARK")); err == nil {
		t.Error("sourcing rbm suggest's output ran a command")
	}
}
