package firewall

import "strings"

// SaveEvidence returns the lines of an iptables-save dump (either backend)
// that show the ruleset is in use: any rule, any user chain, any built-in
// policy other than ACCEPT. Empty tables with ACCEPT policies appear as soon
// as anything lists them, and change nothing. Both backends refuse a
// namespace where a ruleset they do not load holds such lines.
func SaveEvidence(save string) []string {
	var ev []string
	for _, line := range strings.Split(save, "\n") {
		line = strings.TrimSpace(line)
		f := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "-A "), strings.HasPrefix(line, "[") && len(f) > 1 && f[1] == "-A":
			ev = append(ev, line)
		case strings.HasPrefix(line, ":") && len(f) >= 2 && f[1] != "ACCEPT":
			ev = append(ev, line)
		}
	}
	return ev
}
