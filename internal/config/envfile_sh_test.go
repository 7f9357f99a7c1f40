package config

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// shellLines are values a person or rbm suggest may write. Each line
// rbm's parser accepts must read the same when a POSIX shell sources it;
// the others must be refused, not guessed.
var shellLines = []string{
	`V='single $(touch MARK) ` + "`touch MARK`" + ` "dq" # not a comment'`,
	`V='a b c' # comment`,
	`V="double # not a comment"`,
	`V='x'#y`,
	`V="x"#y`,
	`V='a'b'c'`,
	`V="a"b"c"`,
	`V="$(touch MARK)"`,
	"V=\"`touch MARK`\"",
	`V="back\slash"`,
	`V='a\b'`,
	`V='it'\''s'`,
	`V=plain.test`,
	`V=`,
	`export V='exported'`,
	`V='=#='`,
}

// TestEnvFileReadsLikeShell sources each line with sh in a temp dir: no
// marker file appears, and what rbm accepts sh reads the same.
func TestEnvFileReadsLikeShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH")
	}
	for _, line := range shellLines {
		got, perr := ParseEnvFile("f.env", line+"\n")
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "f.env"), []byte(line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(sh, "-c", `set -a; . ./f.env && printf %s "$V"`)
		cmd.Dir, cmd.Env = dir, []string{"PATH=" + os.Getenv("PATH")}
		out, shErr := cmd.Output()
		if perr == nil {
			if _, err := os.Stat(filepath.Join(dir, "MARK")); err == nil {
				t.Errorf("%s: rbm accepts it and sh ran a command", line)
			}
			if shErr != nil || string(out) != got["V"].Value {
				t.Errorf("%s: rbm reads %q, sh reads %q (%v)", line, got["V"].Value, out, shErr)
			}
		}
	}
}

// FuzzParseEnvFile: any text is parsed or refused without a panic, and
// what is accepted is one line's worth per key, with a valid key.
func FuzzParseEnvFile(f *testing.F) {
	for _, s := range append(shellLines, "# c\nA=1\nexport B=two words # t\r\n", "A=\"open", "=x", "A B=c") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, err := ParseEnvFile("f.env", text)
		if err != nil {
			return
		}
		for k, s := range got {
			if !keyRE.MatchString(k) || strings.ContainsAny(s.Value, "\n") {
				t.Fatalf("%q: accepted key %q value %q", text, k, s.Value)
			}
		}
	})
}
