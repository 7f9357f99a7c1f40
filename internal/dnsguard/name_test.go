package dnsguard

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestCheckName(t *testing.T) {
	long := strings.Repeat("a", 64)
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"allowed.test.", true},
		{"Mixed-Case_under.allowed.test.", true},
		{".", true},
		{"xn--bcher-kva.test.", true},
		{strings.Repeat("a", 63) + ".test.", true},
		{long + ".test.", false},
		{strings.Repeat("abcdefghi.", 26) + "test.", false}, // 264 bytes
		{`hidden\032exfil.allowed.test.`, false},
		{`bell\007.allowed.test.`, false},
		{`esc\027[31m.allowed.test.`, false},
		{`z$(touch\032x).test.`, false},
		{"tick`id`.test.", false},
		{`quote\".test.`, false},
		{"hash#.test.", false},
		{"eq=.test.", false},
		{`nl\010.test.`, false},
		{"*.allowed.test.", false},
		{`dot\.inside.test.`, false},
		{`high\255.test.`, false},
	} {
		if got := checkName(tc.name) == ""; got != tc.ok {
			t.Errorf("checkName(%q) ok = %v, want %v (reason %q)", tc.name, got, tc.ok, checkName(tc.name))
		}
	}
}

func TestShown(t *testing.T) {
	for in, want := range map[string]string{
		"Allowed.TEST.":                 "allowed.test",
		`hidden\032exfil.allowed.test.`: `hidden\032exfil.allowed.test`,
		`esc\027[31m.test.`:             `esc\027\09131m.test`,
		`dot\.inside.test.`:             `dot\046inside.test`,
		`z$\(x\).test.`:                 `z\036\040x\041.test`,
		`high\255.test.`:                `high\255.test`,
		`nul\000.test.`:                 `nul\000.test`,
		".":                             "",
	} {
		if got := shown(in); got != want {
			t.Errorf("shown(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzName: whatever the bottle packs into a question, the guard passes
// only names whose wire bytes are host-name bytes, and what it shows of
// any name is inert (host-name bytes, dots and \DDD escapes only).
func FuzzName(f *testing.F) {
	for _, s := range []string{"allowed.test.", `a\032b.test.`, `x\.y.`, `\255\000.`, "*.a."} {
		m := new(dns.Msg)
		m.SetQuestion(s, dns.TypeA)
		if b, err := m.Pack(); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, wire []byte) {
		m := new(dns.Msg)
		if m.Unpack(wire) != nil || len(m.Question) != 1 {
			return
		}
		q := m.Question[0].Name
		for _, c := range []byte(shown(q)) {
			if !hostByte(c) && c != '.' && c != '\\' {
				t.Fatalf("shown(%q) holds byte %#x", q, c)
			}
		}
		if checkName(q) != "" {
			return
		}
		buf := make([]byte, 300)
		n, err := dns.PackDomainName(q, buf, 0, nil, false)
		if err != nil {
			t.Fatalf("passed name %q does not pack: %v", q, err)
		}
		for i := 0; i < n-1; {
			l := int(buf[i])
			for _, c := range buf[i+1 : i+1+l] {
				if !hostByte(c) {
					t.Fatalf("passed name %q carries byte %#x on the wire", q, c)
				}
			}
			i += 1 + l
		}
	})
}
