package iptables

import (
	"fmt"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"strings"
)

// ParseSave reads "iptables-save -c" output (legacy or nf_tables) into a
// firewall.Snapshot. Rules without an "rbm:" comment are not ours and are skipped; a
// rule without counters means the dump did not come from -c, an error.
func ParseSave(text string) (firewall.Snapshot, error) {
	s := firewall.Snapshot{Rules: map[string]firewall.Counter{}, Policies: map[string]firewall.Counter{}}
	table := ""
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		var err error
		switch {
		case line == "", line == "COMMIT", strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "*"):
			table = line[1:]
		case strings.HasPrefix(line, ":"):
			err = addPolicy(s, table, line)
		case strings.HasPrefix(line, "["):
			err = addRule(s, line)
		case strings.HasPrefix(line, "-A "):
			err = fmt.Errorf("rule without counters (not iptables-save -c output?)")
		default:
			err = fmt.Errorf("unrecognised line")
		}
		if err != nil {
			return firewall.Snapshot{}, fmt.Errorf("parse iptables-save line %d %q: %w", i+1, line, err)
		}
	}
	return s, nil
}

// addPolicy reads ":CHAIN POLICY [p:b]"; user chains ("-" policy) have no
// meaningful counters and are skipped.
func addPolicy(s firewall.Snapshot, table, line string) error {
	f := strings.Fields(line[1:])
	if len(f) < 2 {
		return fmt.Errorf("chain line needs a name and a policy")
	}
	if f[1] == "-" {
		return nil
	}
	c := firewall.Counter{}
	if len(f) >= 3 {
		var err error
		if c, err = parseCounter(f[2]); err != nil {
			return err
		}
	}
	s.Policies[table+"/"+f[0]] = c
	return nil
}

// addRule reads "[p:b] -A CHAIN ... --comment rbm:id ...".
func addRule(s firewall.Snapshot, line string) error {
	cnt, rest, _ := strings.Cut(line, " ")
	c, err := parseCounter(cnt)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(strings.TrimSpace(rest), "-A ") {
		return fmt.Errorf("counters not followed by -A")
	}
	if id, ok := ruleID(rest); ok {
		s.Rules[id] = s.Rules[id].Add(c)
	}
	return nil
}

// ruleID finds the first "--comment" whose value starts with "rbm:". The
// value may be quoted ("rbm:x", as iptables-save usually prints it) or bare
// (as iptables-nft-save prints some comments).
func ruleID(rule string) (string, bool) {
	const opt = "--comment "
	for rest := rule; ; {
		i := strings.Index(rest, opt)
		if i < 0 {
			return "", false
		}
		rest = rest[i+len(opt):]
		v := commentValue(rest)
		if strings.HasPrefix(v, idPrefix) {
			return v, true
		}
	}
}

// commentValue reads one shell-style word: a double-quoted string with \"
// and \\ escapes, or everything up to the next space.
func commentValue(s string) string {
	if !strings.HasPrefix(s, `"`) {
		v, _, _ := strings.Cut(s, " ")
		return v
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case s[i] == '"':
			return b.String()
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
