package safetext

import "testing"

func TestEscape(t *testing.T) {
	for _, c := range []struct{ in, text, word string }{
		{"allowed.test", "allowed.test", "allowed.test"},
		{"hidden exfil.allowed.test", "hidden exfil.allowed.test", `hidden\032exfil.allowed.test`},
		{"a\x1b[2Jb.test", `a\027[2Jb.test`, `a\027[2Jb.test`},
		{"nl\nx", `nl\010x`, `nl\010x`},
		{"cr\rdel\x7f", `cr\013del\127`, `cr\013del\127`},
		{"c1\u009b31m", `c1\194\15531m`, `c1\194\15531m`},
		{"bidi\u202eexe", `bidi\226\128\174exe`, `bidi\226\128\174exe`},
		{"bad\xffutf8", `bad\255utf8`, `bad\255utf8`},
		{"nul\x00", `nul\000`, `nul\000`},
		// The DNS guard's escaped names pass through unchanged.
		{`hidden\032exfil.allowed.test`, `hidden\032exfil.allowed.test`, `hidden\032exfil.allowed.test`},
	} {
		if got := Text(c.in); got != c.text {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.text)
		}
		if got := Word(c.in); got != c.word {
			t.Errorf("Word(%q) = %q, want %q", c.in, got, c.word)
		}
	}
}

// FuzzEscape: whatever goes in, only printable ASCII comes out, Text
// leaves clean text as it is, and escaping twice changes nothing more.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"a.test", "\x1b[31m", "\u009b", "\xff", `\\`, "a b", `a\032b`} {
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
		if w := Word(s); Word(w) != w {
			t.Fatalf("Word is not idempotent on %q: %q then %q", s, w, Word(w))
		}
	})
}
