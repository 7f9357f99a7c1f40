package verify

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// TestHostileNamesCountable: each hostile name is written exactly as
// miekg/dns writes it back after the wire, which is how the upstream
// stand-in counts names; otherwise "never forwarded" would hold by a
// mismatch of spellings, whatever the sentry did. And each one really is
// not a host name on the wire.
func TestHostileNamesCountable(t *testing.T) {
	for _, h := range hostileLabels {
		q := dns.Fqdn(h.label + ".allowed.test")
		m := new(dns.Msg)
		m.SetQuestion(q, dns.TypeA)
		wire, err := m.Pack()
		if err != nil {
			t.Fatalf("%s: %v", h.name, err)
		}
		back := new(dns.Msg)
		if err := back.Unpack(wire); err != nil {
			t.Fatal(err)
		}
		if got := strings.ToLower(back.Question[0].Name); got != strings.ToLower(q) {
			t.Errorf("%s: %q comes back from the wire as %q", h.name, q, got)
		}
		if _, ok := dns.IsDomainName(q); !ok {
			t.Errorf("%s: %q does not even pack as a name", h.name, q)
		}
		if !strings.ContainsAny(h.label, "\\$`") {
			t.Errorf("%s: %q holds nothing but host-name bytes", h.name, h.label)
		}
	}
}
