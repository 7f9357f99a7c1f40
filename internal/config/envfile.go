package config

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Setting is one raw value and where it came from.
type Setting struct {
	Value  string
	Origin string // "default", "FILE:LINE" or "environment"
}

var keyRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ParseEnvFile reads KEY=VALUE lines: blank lines and `#` comments are
// skipped, `export ` is allowed, values may be single- or double-quoted, and
// an unquoted value ends at ` #`. The name is used in origins and errors.
func ParseEnvFile(name, text string) (map[string]Setting, error) {
	out := map[string]Setting{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d", name, i+1)
		key, raw, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		key = strings.TrimSpace(key)
		if !ok || !keyRE.MatchString(key) {
			return nil, fmt.Errorf("%s: expected KEY=VALUE, got %q", where, line)
		}
		val, err := unquote(strings.TrimSpace(raw))
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", where, key, err)
		}
		out[key] = Setting{Value: val, Origin: where}
	}
	return out, nil
}

// unquote reads a value as a POSIX shell would, or refuses it: a file
// that `set -a; . ./file` reads differently from rbm is an error, not a
// guess. Single quotes keep every byte up to the next single quote; double
// quotes may not hold what a shell expands in them ($, `, \); after the
// closing quote only blanks and a comment may follow.
func unquote(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	q := v[0]
	if q != '"' && q != '\'' {
		if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		return v, nil
	}
	end := strings.IndexByte(v[1:], q) + 1
	if end == 0 {
		return "", fmt.Errorf("unterminated %c quote in %q", q, v)
	}
	if rest := v[end+1:]; rest != "" && !(isBlank(rest[0]) && strings.HasPrefix(strings.TrimSpace(rest), "#")) {
		return "", fmt.Errorf("unexpected text %q after the closing quote", rest)
	}
	val := v[1:end]
	if i := strings.IndexAny(val, "$`\\"); q == '"' && i >= 0 {
		return "", fmt.Errorf("%q inside double quotes: a shell expands it there; use single quotes", val[i])
	}
	return val, nil
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// LoadEnvFile reads and parses one env file.
func LoadEnvFile(path string) (map[string]Setting, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read env file: %w", err)
	}
	return ParseEnvFile(path, string(b))
}
