// Package safetext makes text from the bottle safe to print: every byte a
// terminal could act on (control bytes, DEL, the bytes of C1 controls and
// of anything else outside printable ASCII) comes out as a visible escape,
// so a name cannot move the cursor, recolour a line, clear the screen or
// pass for another name when rbm shows it.
//
// The escape is DNS presentation form's \DDD (the byte in decimal), as
// dig writes names and as the sentry's DNS guard already writes the names
// it reports: text the guard escaped passes through unchanged, and a name
// reads the same in every rbm output. A backslash is left as it is (the
// guard writes a name's own backslash as \092).
package safetext

import (
	"strconv"
	"strings"
)

// Text escapes s for a line a person reads: printable ASCII stays, every
// other byte becomes \DDD.
func Text(s string) string { return escape(s, false) }

// Word escapes s like Text and also its spaces (\032), for a field that
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

func plain(c byte) bool { return c >= 0x20 && c < 0x7f }

func escape(s string, word bool) string {
	if Clean(s) && !(word && strings.IndexByte(s, ' ') >= 0) {
		return s
	}
	b := make([]byte, 0, len(s)+16)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if plain(c) && !(word && c == ' ') {
			b = append(b, c)
			continue
		}
		b = append(b, '\\')
		if c < 100 {
			b = append(b, '0')
		}
		if c < 10 {
			b = append(b, '0')
		}
		b = strconv.AppendUint(b, uint64(c), 10)
	}
	return string(b)
}
