package safetext

import (
	"fmt"
	"unicode/utf8"
)

// JSON rewrites encoded JSON so that it is printable ASCII: DEL and every
// rune outside ASCII become \u escapes (a surrogate pair above U+FFFF).
// encoding/json escapes control bytes below 0x20 but writes DEL, the C1
// controls and the rest as raw UTF-8, which a terminal may act on. Outside
// strings valid JSON is ASCII already, so the value read back is the same.
func JSON(b []byte) []byte {
	clean := true
	for _, c := range b {
		if c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		if b[i] < 0x7f {
			out = append(out, b[i])
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r > 0xffff {
			r -= 0x10000
			out = fmt.Appendf(out, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		} else {
			out = fmt.Appendf(out, `\u%04x`, r) // invalid UTF-8 reads as U+FFFD, as encoding/json does
		}
		i += n
	}
	return out
}
