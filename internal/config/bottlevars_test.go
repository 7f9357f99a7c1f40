package config

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestBottleVars(t *testing.T) {
	dir := t.TempDir()
	c, _, err := Resolve(base, settings(
		"RBRN_BOTTLE_COMMAND", `["sh", "-c", "echo a #b; exit 3"]`,
		"RBRN_BOTTLE_VOLUMES", dir+":/work "+dir+":/ref:ro",
		"RBRN_BOTTLE_ENV", "ANTHROPIC_API_KEY, TERM TERM",
		"RBRN_BOTTLE_WORKDIR", "/work"))
	if err != nil {
		t.Fatal(err)
	}
	b := c.Bottle
	if !slices.Equal(b.Command, []string{"sh", "-c", "echo a #b; exit 3"}) {
		t.Errorf("command %q", b.Command)
	}
	if len(b.Volumes) != 2 || b.Volumes[0].Arg() != dir+":/work" || b.Volumes[1].Arg() != dir+":/ref:ro" {
		t.Errorf("volumes %+v", b.Volumes)
	}
	if !slices.Equal(b.Env, []string{"ANTHROPIC_API_KEY", "TERM"}) || b.Workdir != "/work" || b.KeepAlive {
		t.Errorf("env %q, workdir %q, keep-alive %v", b.Env, b.Workdir, b.KeepAlive)
	}
	// The sentry gets none of them: a host path means nothing in its
	// container, and the command is not its business.
	for _, kv := range c.Environ() {
		if strings.HasPrefix(kv, "RBRN_BOTTLE_") && !strings.HasPrefix(kv, "RBRN_BOTTLE_IMAGE=") {
			t.Errorf("the sentry's environment holds %q", kv)
		}
	}
}

func TestBottleVarsUnsetAreEmpty(t *testing.T) {
	c, _, err := Resolve(base)
	if err != nil {
		t.Fatal(err)
	}
	if b := c.Bottle; b.Command != nil || b.Volumes != nil || b.Env != nil || b.Workdir != "" {
		t.Errorf("defaults give a bottle of %+v, want the image's own", b)
	}
}

func TestBottleVarsInvalid(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ name, variable, value, want string }{
		{"command words", "RBRN_BOTTLE_COMMAND", "claude --verbose", "JSON array"},
		{"command empty array", "RBRN_BOTTLE_COMMAND", "[]", "JSON array of 1 to"},
		{"command not strings", "RBRN_BOTTLE_COMMAND", `["a", 1]`, "JSON array"},
		{"command object", "RBRN_BOTTLE_COMMAND", `{"a":"b"}`, "JSON array"},
		{"command newline", "RBRN_BOTTLE_COMMAND", `["sh", "-c", "a\nb"]`, "control characters"},
		{"command empty program", "RBRN_BOTTLE_COMMAND", `["", "x"]`, "a program"},
		{"command json program", "RBRN_BOTTLE_COMMAND", `[" [\"x\"]"]`, "not itself JSON"},
		{"command null program", "RBRN_BOTTLE_COMMAND", `["null"]`, "not itself JSON"},
		{"command too long", "RBRN_BOTTLE_COMMAND", `["` + strings.Repeat("a", 5000) + `"]`, "at most 4096 bytes"},
		{"volume relative", "RBRN_BOTTLE_VOLUMES", "work:/work", "absolute host path"},
		{"volume missing", "RBRN_BOTTLE_VOLUMES", dir + "/nosuch:/work", "existing host path"},
		{"volume bottle relative", "RBRN_BOTTLE_VOLUMES", dir + ":work", "absolute path in the bottle"},
		{"volume comma", "RBRN_BOTTLE_VOLUMES", dir + ":/w,ro", "without ','"},
		{"volume mode", "RBRN_BOTTLE_VOLUMES", dir + ":/w:z", "HOST:BOTTLE:ro"},
		{"volume option", "RBRN_BOTTLE_VOLUMES", "--privileged", "absolute host path"},
		{"volume twice", "RBRN_BOTTLE_VOLUMES", dir + ":/w " + dir + ":/w:ro", "each bottle path once"},
		{"env digit", "RBRN_BOTTLE_ENV", "1TOKEN", "variable names"},
		{"env option", "RBRN_BOTTLE_ENV", "--privileged", "variable names"},
		{"workdir relative", "RBRN_BOTTLE_WORKDIR", "work", "absolute path"},
		{"workdir newline", "RBRN_BOTTLE_WORKDIR", "/work\n-v", "control characters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Resolve(base, settings(tc.variable, tc.value))
			ps := problemsOf(t, err)
			if len(ps) == 0 || ps[0].Var != tc.variable || !strings.Contains(tc.value, ps[0].Value) {
				t.Fatalf("problems %q do not name %s and a part of %q", ps, tc.variable, tc.value)
			}
			if !strings.Contains(ps[0].Want, tc.want) {
				t.Errorf("problem %q does not say %q", ps[0], tc.want)
			}
		})
	}
}

// TestBottleEnvNeverShowsAValue: NAME=VALUE in RBRN_BOTTLE_ENV is refused
// without repeating the value, which may be a secret.
func TestBottleEnvNeverShowsAValue(t *testing.T) {
	_, _, err := Resolve(base, settings("RBRN_BOTTLE_ENV", "TOKEN=s3cret"))
	ps := problemsOf(t, err)
	if len(ps) != 1 || ps[0].Var != "RBRN_BOTTLE_ENV" || !strings.Contains(ps[0].Want, "names only") {
		t.Fatalf("problems %q", ps)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("the error shows the value: %v", err)
	}
}

// FuzzBottleCommand: an accepted command is a bounded argv of single
// printable lines whose program Podman cannot read as JSON.
func FuzzBottleCommand(f *testing.F) {
	f.Add(`["claude"]`)
	f.Add(`["sh","-c","a\u0000b"]`)
	f.Add(`["-x"]`)
	f.Fuzz(func(t *testing.T, v string) {
		c, _, err := Resolve(base, settings("RBRN_BOTTLE_COMMAND", v))
		if err != nil {
			return
		}
		argv := c.Bottle.Command
		if v == "" {
			return
		}
		if len(argv) == 0 || len(argv) > maxCommandArgs || argv[0] == "" || json.Valid([]byte(argv[0])) {
			t.Fatalf("accepted %q as %q", v, argv)
		}
		for _, a := range argv {
			if strings.ContainsFunc(a, isControl) {
				t.Fatalf("accepted %q with a control character", a)
			}
		}
	})
}

func TestEnvWarnings(t *testing.T) {
	c, _, err := Resolve(base, settings("RBRN_BOTTLE_ENV", "SET UNSET"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.EnvWarnings(func(n string) (string, bool) { return "x", n == "SET" })
	if len(got) != 1 || !strings.Contains(got[0], "names UNSET, which is not set") {
		t.Errorf("warnings %q, want one about UNSET", got)
	}
}

func TestBottleVarsSet(t *testing.T) {
	c, _, err := Resolve(base, settings("RBRN_BOTTLE_WORKDIR", "/w", "RBRN_BOTTLE_COMMAND", `["x"]`))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.BottleVarsSet(), " "); got != "RBRN_BOTTLE_COMMAND RBRN_BOTTLE_WORKDIR" {
		t.Errorf("set %q", got)
	}
}
