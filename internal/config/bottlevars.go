package config

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// bottleVars shape only the bottle container. They never reach the sentry
// (Environ leaves them out): it has no use for them, a volume's host path
// does not exist in its container, and a command is not its business.
var bottleVars = []string{"RBRN_BOTTLE_COMMAND", "RBRN_BOTTLE_VOLUMES", "RBRN_BOTTLE_ENV", "RBRN_BOTTLE_WORKDIR"}

// Bounds on the bottle's variables: a nameplate is a short file.
const (
	maxCommandBytes = 4096
	maxCommandArgs  = 64
	maxBottleItems  = 32 // volumes, environment names
)

// EnvNameRE is a variable name the runtimes' -e accepts and a shell could
// export: letters, digits and '_', not starting with a digit.
var EnvNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)

// bottle reads the RBRN_BOTTLE_* variables.
func (p *parser) bottle() Bottle {
	return Bottle{
		Command: p.command("RBRN_BOTTLE_COMMAND"),
		Volumes: p.volumes("RBRN_BOTTLE_VOLUMES"),
		Env:     p.envNames("RBRN_BOTTLE_ENV"),
		Workdir: p.workdir("RBRN_BOTTLE_WORKDIR"),
	}
}

// command reads a JSON array of strings (the exec form of a Containerfile's
// CMD): no shell runs it, so there is no quoting to get wrong. Every word
// is one line of printable text; the program is neither empty nor JSON
// itself (Podman reads an --entrypoint that parses as JSON as JSON).
func (p *parser) command(name string) []string {
	v := p.raw(name)
	if v == "" {
		return nil
	}
	var argv []string
	if len(v) > maxCommandBytes || json.Unmarshal([]byte(v), &argv) != nil || len(argv) == 0 || len(argv) > maxCommandArgs {
		p.fail(name, v, fmt.Sprintf(`expected a JSON array of 1 to %d strings such as ["claude", "--verbose"] (at most %d bytes; in a file, single-quote it)`, maxCommandArgs, maxCommandBytes))
		return nil
	}
	for _, a := range argv {
		if strings.ContainsFunc(a, isControl) {
			p.fail(name, v, "expected words without control characters (a newline, a tab, an escape)")
			return nil
		}
	}
	if argv[0] == "" || json.Valid([]byte(argv[0])) {
		p.fail(name, v, "expected a program as the first word (not empty, not itself JSON such as [...] or null)")
		return nil
	}
	return argv
}

// volumes reads HOST:BOTTLE[:ro] items separated by blanks; both paths
// absolute (a nameplate has no working directory to be relative to), the
// host path existing, each bottle path once.
func (p *parser) volumes(name string) []Volume {
	items := strings.Fields(p.raw(name))
	if len(items) > maxBottleItems {
		p.fail(name, p.raw(name), fmt.Sprintf("expected at most %d volumes", maxBottleItems))
		return nil
	}
	var out []Volume
	seen := map[string]bool{}
	for _, item := range items {
		if !strings.HasPrefix(item, "/") {
			p.fail(name, item, "expected an absolute host path before the ':' (HOST:BOTTLE[:ro])")
			continue
		}
		v, err := ParseVolume(name, item)
		if ce, ok := err.(*Error); ok {
			p.problems = append(p.problems, ce.Problems...)
			continue
		}
		if seen[v.Bottle] {
			p.fail(name, item, "expected each bottle path once")
			continue
		}
		seen[v.Bottle] = true
		out = append(out, v)
	}
	return out
}

// envNames reads variable names separated by blanks or commas. A value
// is refused: it would sit in a file and on a command line rbm prints.
func (p *parser) envNames(name string) []string {
	items := list(p.raw(name))
	if len(items) > maxBottleItems {
		p.fail(name, p.raw(name), fmt.Sprintf("expected at most %d names", maxBottleItems))
		return nil
	}
	var out []string
	for _, item := range items {
		n, _, hasValue := strings.Cut(item, "=")
		switch {
		case hasValue:
			// Never the value in an error: it may be a secret.
			p.fail(name, n+"=...", "expected names only; the runtime takes each value from rbm's environment (export it before rbm start)")
		case !EnvNameRE.MatchString(n):
			p.fail(name, n, "expected variable names (letters, digits, '_', not starting with a digit) separated by spaces or commas")
		case !slices.Contains(out, n):
			out = append(out, n)
		}
	}
	return out
}

func (p *parser) workdir(name string) string {
	v := p.raw(name)
	if v != "" && (!strings.HasPrefix(v, "/") || strings.ContainsFunc(v, isControl)) {
		p.fail(name, v, "expected an absolute path in the bottle without control characters")
		return ""
	}
	return v
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// EnvWarnings name the RBRN_BOTTLE_ENV variables lookup (rbm's
// environment) does not have: the runtime then leaves them unset in the
// bottle, which a program needing its key reports only later, if at all.
func (c *Config) EnvWarnings(lookup func(string) (string, bool)) []string {
	var out []string
	for _, name := range c.Bottle.Env {
		if _, ok := lookup(name); !ok {
			out = append(out, fmt.Sprintf("RBRN_BOTTLE_ENV names %s, which is not set in rbm's environment: the bottle gets no %s", name, name))
		}
	}
	return out
}

// BottleVarsSet names the RBRN_BOTTLE_* variables (but the image) given a
// value: rbm reload says it leaves them as the bottle was created.
func (c *Config) BottleVarsSet() []string {
	var out []string
	for _, name := range bottleVars {
		if c.Settings[name].Value != "" {
			out = append(out, name)
		}
	}
	return out
}
