package clienthello

import (
	"errors"
	"strings"
	"testing"
)

// TestHostName pins the host name rule: what passes, how it is normalised,
// and what is refused.
func TestHostName(t *testing.T) {
	label63 := strings.Repeat("a", 63)
	name253 := strings.Repeat(label63+".", 3) + strings.Repeat("b", 253-3*64)
	for _, c := range []struct{ in, want string }{
		{"allowed.test", "allowed.test"},
		{"ALLOWED.Test.", "allowed.test"},
		{"_acme-challenge.x-y.test", "_acme-challenge.x-y.test"},
		{"localhost", "localhost"},
		{"1.2.3.4", "1.2.3.4"}, // RFC 6066 forbids IP literals; the policy, not the parser, refuses them
		{label63 + ".test", label63 + ".test"},
		{name253, name253},
		{name253 + ".", name253},
	} {
		if got, err := hostName([]byte(c.in)); err != nil || got != c.want {
			t.Errorf("hostName(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if len(name253) != 253 {
		t.Fatalf("test name is %d bytes, want 253", len(name253))
	}
	for _, in := range []string{
		"", ".", "..", "a..b", ".a", "a.b..", "a b", "a\x00b", "a\tb", "a/b", "a:443", "é.test", "a*.test",
		label63 + "a.test", name253 + "a", strings.Repeat("a.", 150),
	} {
		if got, err := hostName([]byte(in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("hostName(%q) = %q, %v; want ErrMalformed", in, got, err)
		}
	}
}

// TestParseTooLarge: a declared length beyond MaxHello is ErrTooLarge even
// when the bytes are there.
func TestParseTooLarge(t *testing.T) {
	msg := helloMsg(spec{exts: []ext{{0x15, make([]byte, MaxHello)}}})
	if _, err := Parse(msg); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	msg = helloMsg(spec{exts: []ext{{0x15, make([]byte, MaxHello-100)}}})
	if _, err := Parse(msg); err != nil {
		t.Fatalf("hello just under MaxHello: %v", err)
	}
}

// TestParseVersions: TLS13 only when 0x0304 is offered, wherever in the list.
func TestParseVersions(t *testing.T) {
	for _, c := range []struct {
		vs   []uint16
		want bool
	}{
		{[]uint16{0x0304}, true},
		{[]uint16{0x0a0a, 0x0303, 0x0304}, true},
		{[]uint16{0x0303}, false},
		{[]uint16{0x7f1c, 0x0303}, false},
	} {
		h, err := Parse(helloMsg(spec{exts: []ext{versionsExt(c.vs...)}}))
		if err != nil || h.TLS13 != c.want {
			t.Errorf("versions %#04x: TLS13 = %v, %v; want %v", c.vs, h.TLS13, err, c.want)
		}
	}
}
