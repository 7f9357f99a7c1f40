package dnsguard

import (
	"fmt"
	"strings"

	"github.com/recipe-bottle/rbm/internal/hostname"
)

// checkName says why q, a question name as miekg/dns writes it (escaped
// presentation form with its final dot), is not a host name, or "" when it
// is one. A byte outside letters, digits, '-' and '_' reaches the string
// as an escape (\032, \.) or as itself (`$`, `*`), so hostname.Check on
// the escaped form allows exactly host names: no other byte ever leaves
// the sentry in a name, whatever the DNS mode.
func checkName(q string) string {
	if strings.TrimSuffix(q, ".") == "" {
		return "" // the root: dnsmasq answers it
	}
	if err := hostname.Check(q); err != nil {
		return err.Error()
	}
	return ""
}

func hostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// shown is q as events carry it: lower case, no final dot, and every byte
// that is not a host-name byte written as \DDD, so a refused name reaches
// a terminal, a log or a suggestion as inert text. miekg/dns has already
// escaped the wire's bytes; its escapes are undone first so each byte is
// escaped once, the same way (an escaped dot stays a byte of its label).
func shown(q string) string {
	var b strings.Builder
	for i, label := range labels(strings.TrimSuffix(q, ".")) {
		if i > 0 {
			b.WriteByte('.')
		}
		for _, c := range label {
			if hostByte(c) {
				b.WriteByte(lower(c))
			} else {
				fmt.Fprintf(&b, "\\%03d", c)
			}
		}
	}
	return b.String()
}

// labels splits presentation form into the labels' bytes.
func labels(s string) [][]byte {
	if s == "" {
		return nil
	}
	var out [][]byte
	cur := []byte{}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			out, cur = append(out, cur), []byte{}
		case c == '\\' && i+4 <= len(s) && isDigits(s[i+1:i+4]):
			n := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
			cur = append(cur, byte(n&0xff))
			i += 3
		case c == '\\' && i+1 < len(s):
			cur = append(cur, s[i+1])
			i++
		default:
			cur = append(cur, c)
		}
	}
	return append(out, cur)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
