package lab_test

import (
	"testing"

	"github.com/recipe-bottle/rbm/internal/lab"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/probe"
)

// Configuration fragments layered over the lab's example (an allowlist of
// 203.0.113.0/24 and allowed.test). In DNS global mode the stand-in's
// documentation-range answers must be exempt from rebinding protection, or
// dnsmasq would drop them and "every name resolves" could not be seen.
const (
	egressNone      = "RBRN_UPLINK_ACCESS_ENABLED=false\nRBRN_UPLINK_ALLOWED_CIDRS=\n"
	egressAllowlist = ""
	egressGlobal    = "RBRN_UPLINK_ACCESS_GLOBAL=true\nRBRN_UPLINK_ALLOWED_CIDRS=\n"
	dnsOff          = "RBRN_UPLINK_DNS_ENABLED=false\nRBRN_UPLINK_ALLOWED_DOMAINS=\nRBRN_DNS_REBIND_OK_DOMAINS=\n"
	dnsAllowlist    = ""
	dnsGlobal       = "RBRN_UPLINK_DNS_GLOBAL=true\nRBRN_UPLINK_ALLOWED_DOMAINS=\nRBRN_DNS_REBIND_OK_DOMAINS=allowed.test forbidden.test\n"
	interceptReject = "RBRN_DNS_INTERCEPT=reject\n"
)

// TestE2EModes runs every egress mode and every DNS mode (each at least
// twice, the allowlist/allowlist pair being TestE2EInterception's) and checks
// the allowed and forbidden address and name against what the mode promises.
// Every lab also asks the foreign resolver: intercepted or refused, it never
// gets the query.
func TestE2EModes(t *testing.T) {
	rows := []struct {
		name   string
		env    string
		egress policy.Egress
		dns    policy.DNS
	}{
		{"none-off", egressNone + dnsOff, policy.EgressNone, policy.DNSOff},
		{"none-global", egressNone + dnsGlobal, policy.EgressNone, policy.DNSGlobal},
		{"allowlist-off", egressAllowlist + dnsOff, policy.EgressAllowlist, policy.DNSOff},
		{"allowlist-global-reject", egressAllowlist + dnsGlobal + interceptReject, policy.EgressAllowlist, policy.DNSGlobal},
		{"global-allowlist-reject", egressGlobal + dnsAllowlist + interceptReject, policy.EgressGlobal, policy.DNSAllowlist},
		{"global-off", egressGlobal + dnsOff, policy.EgressGlobal, policy.DNSOff},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			tl := startLab(t, row.env)
			info, a, p := tl.info, tl.info.Addresses, tl.info.Policy
			if p.Egress != row.egress || p.DNS != row.dns {
				t.Fatalf("lab runs egress %s, DNS %s; the row wants %s, %s", p.Egress, p.DNS, row.egress, row.dns)
			}
			allowRule := ""
			switch p.Egress {
			case policy.EgressGlobal:
				allowRule = "fwd-allow-global"
			case policy.EgressAllowlist:
				allowRule = "fwd-allow-" + p.AllowedCIDRs[0].String()
			}
			before := tl.stats(t)

			// The allowed address (there is none without egress).
			if p.Egress == policy.EgressNone {
				if a.Allowed.IsValid() {
					t.Errorf("egress none but the lab planned an allowed server %s", a.Allowed)
				}
			} else {
				r, d := tl.try(t, tcpSpec(a.Allowed.String()+":22", passTimeout))
				wantConnected(t, r)
				wantMoved(t, d, describe(r), allowRule)
			}

			// The forbidden address: only global egress reaches it.
			if p.Egress == policy.EgressGlobal {
				r, d := tl.try(t, tcpSpec(a.Forbidden.String()+":22", passTimeout))
				wantConnected(t, r)
				wantMoved(t, d, describe(r), allowRule)
			} else {
				r, d := tl.try(t, tcpSpec(a.Forbidden.String()+":22", dropTimeout))
				wantBlocked(t, r, probe.Timeout)
				wantMoved(t, d, describe(r), "fwd-drop")
			}

			// The allowed and the forbidden name at the sentry, and the
			// forbidden name at the foreign resolver.
			sentry, foreign := p.SentryIP.String(), a.Foreign.String()
			allowedName, forbiddenName := lab.AllowedName(p), lab.ForbiddenName(p)
			switch p.DNS {
			case policy.DNSOff:
				// No resolver, and the sentry's INPUT drops port 53.
				for _, name := range []string{allowedName, forbiddenName} {
					r, d := tl.try(t, dnsSpec(sentry, name, false, dropTimeout))
					wantBlocked(t, r, probe.Timeout)
					wantMoved(t, d, describe(r), "in-enclave-drop")
				}
			case policy.DNSAllowlist:
				r, _ := tl.try(t, dnsSpec(sentry, allowedName, false, passTimeout))
				wantAnswer(t, r, "NOERROR", info.Records[allowedName])
				r, _ = tl.try(t, dnsSpec(sentry, forbiddenName, false, passTimeout))
				wantAnswer(t, r, "NXDOMAIN")
			case policy.DNSGlobal:
				r, _ := tl.try(t, dnsSpec(sentry, allowedName, false, passTimeout))
				wantAnswer(t, r, "NOERROR", info.Records[allowedName])
				r, _ = tl.try(t, dnsSpec(sentry, forbiddenName, false, passTimeout))
				wantAnswer(t, r, "NOERROR", a.Forbidden.String())
			}
			r, d := tl.try(t, dnsSpec(foreign, forbiddenName, false, passTimeout))
			if p.InterceptsDNS() {
				// Answered by the sentry's filter: the foreign resolver
				// would have answered anything with its fixed address.
				if p.DNS == policy.DNSGlobal {
					wantAnswer(t, r, "NOERROR", a.Forbidden.String())
				} else {
					wantAnswer(t, r, "NXDOMAIN")
				}
				wantMoved(t, d, describe(r), "nat-dns-udp")
			} else {
				wantBlocked(t, r, probe.Refused)
				wantMoved(t, d, describe(r), "fwd-dns-reject-udp")
			}
			if allowRule != "" {
				wantNotMoved(t, d, describe(r), allowRule)
			}

			after := tl.stats(t)
			if n := after.Foreign.Total - before.Foreign.Total; n != 0 {
				t.Errorf("the foreign resolver got %d queries (%v), want none", n, after.Foreign.ByTransport)
			}
			key := "tcp " + a.Forbidden.String() + ":22"
			want := int64(0)
			if p.Egress == policy.EgressGlobal {
				want = 1
			}
			if got := after.Echo[key] - before.Echo[key]; got != want {
				t.Errorf("the forbidden server's TCP echo got %d connections, want %d (egress %s)", got, want, p.Egress)
			}
		})
	}
}
