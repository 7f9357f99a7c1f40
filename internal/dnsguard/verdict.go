package dnsguard

import (
	"strings"

	"github.com/miekg/dns"

	"github.com/recipe-bottle/rbm/internal/events"
)

// readyDomain is answered by dnsmasq itself in every mode (see
// dns.ReadyDomain; not imported, to keep this package below dns).
const readyDomain = "invalid"

// verdictOf names what dnsmasq's reply to name means. dnsmasq answers a
// name outside the allowlist NXDOMAIN itself, so "not allowed" comes from
// the rules, not the reply; a rebinding refusal is NOERROR with no answer
// and Extended DNS Error 15 (Blocked).
func verdictOf(reply *dns.Msg, blocked bool, rules *Rules, name string) string {
	switch {
	case underReady(name):
		return events.AnsweredLocally
	case rules.Allowed != nil && !rules.Allowed(name):
		return events.NotAllowed
	case blocked:
		return events.RebindRefused
	case reply.Rcode == dns.RcodeServerFailure:
		return events.UpstreamFailed
	}
	return events.Answered
}

// underReady: the readiness domain, which dnsmasq answers itself; the
// sentry's readiness query must reach dnsmasq to prove it answers.
func underReady(name string) bool {
	return name == readyDomain || strings.HasSuffix(name, "."+readyDomain)
}

// hasEDE reports whether m carries the Extended DNS Error code.
func hasEDE(m *dns.Msg, code uint16) bool {
	opt := m.IsEdns0()
	if opt == nil {
		return false
	}
	for _, o := range opt.Option {
		if e, ok := o.(*dns.EDNS0_EDE); ok && e.InfoCode == code {
			return true
		}
	}
	return false
}

// stripOPT takes the OPT record off m (the bottle did not offer EDNS).
func stripOPT(m *dns.Msg) {
	extra := m.Extra[:0]
	for _, rr := range m.Extra {
		if _, ok := rr.(*dns.OPT); !ok {
			extra = append(extra, rr)
		}
	}
	m.Extra = extra
}

// inert writes s with every byte outside printable ASCII as \DDD, and
// backslash, quotes, backtick and $ too: record data from upstream is as
// hostile as a name.
func inert(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || strings.IndexByte("\\\"'`$", c) >= 0 {
			b.WriteString("\\")
			b.WriteString(string(rune('0' + c/100)))
			b.WriteString(string(rune('0' + c/10%10)))
			b.WriteString(string(rune('0' + c%10)))
			continue
		}
		b.WriteByte(c)
	}
	return strings.TrimSpace(b.String())
}
