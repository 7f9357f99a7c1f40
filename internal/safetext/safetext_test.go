package safetext

import "testing"

func TestEscape(t *testing.T) {
	for _, c := range []struct{ in, text, word string }{
		{"allowed.test", "allowed.test", "allowed.test"},
		{"hidden exfil.allowed.test", "hidden exfil.allowed.test", `hidden\x20exfil.allowed.test`},
		{"a\x1b[2Jb.test", `a\x1b[2Jb.test`, `a\x1b[2Jb.test`},
		{"nl\nx", `nl\x0ax`, `nl\x0ax`},
		{"cr\rdel\x7f", `cr\x0ddel\x7f`, `cr\x0ddel\x7f`},
		{"c1\u009b31m", `c1\u{9b}31m`, `c1\u{9b}31m`},
		{"bidi\u202eexe", `bidi\u{202e}exe`, `bidi\u{202e}exe`},
		{"bad\xffutf8", `bad\xffutf8`, `bad\xffutf8`},
		{`back\x1b`, `back\\x1b`, `back\\x1b`}, // a literal backslash cannot forge an escape
		{"caf\u00e9", `caf\u{e9}`, `caf\u{e9}`},
	} {
		if got := Text(c.in); got != c.text {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.text)
		}
		if got := Word(c.in); got != c.word {
			t.Errorf("Word(%q) = %q, want %q", c.in, got, c.word)
		}
	}
}

// FuzzEscape: whatever goes in, only printable ASCII comes out, and Text
// leaves clean text as it is.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"a.test", "\x1b[31m", "\u009b", "\xff", `\\`, "a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Text(s), Word(s)} {
			for i := 0; i < len(out); i++ {
				if out[i] < 0x20 || out[i] >= 0x7f {
					t.Fatalf("escape(%q) = %q holds byte %#x", s, out, out[i])
				}
			}
		}
		if Clean(s) && Text(s) != s {
			t.Fatalf("Text(%q) = %q changed clean text", s, Text(s))
		}
	})
}
