// Package safetext makes text from the bottle safe to print: every byte a
// terminal could act on (control bytes, DEL, C1 controls, invalid UTF-8)
// and everything else outside printable ASCII comes out as a visible
// escape, so a name cannot move the cursor, recolour a line, clear the
// screen or pass for another name when rbm shows it.
package safetext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text escapes s for a line a person reads: printable ASCII stays,
// a backslash becomes `\\` (so an escape is never ambiguous), and every
// other byte or rune becomes `\xNN` or `\u{...}`.
func Text(s string) string { return escape(s, false) }

// Word escapes s like Text and also its spaces (`\x20`), for a field that
// is one token (a name, an address, a rule id): "a b.test" must not read
// as two words.
func Word(s string) string { return escape(s, true) }

// Clean reports whether Text leaves s unchanged.
func Clean(s string) bool {
	for i := 0; i < len(s); i++ {
		if !plain(s[i]) {
			return false
		}
	}
	return true
}

func plain(c byte) bool { return c >= 0x20 && c < 0x7f && c != '\\' }

func escape(s string, word bool) string {
	if Clean(s) && !(word && strings.ContainsRune(s, ' ')) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' && word:
			b.WriteString(`\x20`)
		case c == '\\':
			b.WriteString(`\\`)
		case plain(c):
			b.WriteByte(c)
		case c < utf8.RuneSelf:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				fmt.Fprintf(&b, `\x%02x`, c) // not UTF-8: the byte itself
			} else {
				fmt.Fprintf(&b, `\u{%x}`, r)
			}
			i += n
			continue
		}
		i++
	}
	return b.String()
}
