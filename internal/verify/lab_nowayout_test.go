package verify

import (
	"testing"
)

// TestLabNoWayOut cuts the lab sentry's uplink (its default route goes, so
// nothing beyond the link can be reached: no upstream, no stand-in) and
// runs the battery in both egress modes: no case may say BROKEN, the cases
// whose expected success needs the outside could not run, and every
// expected drop still holds.
func TestLabNoWayOut(t *testing.T) {
	for _, m := range []struct {
		name, env     string
		notRun, holds []string
	}{
		{name: "allowlist", env: "",
			notRun: []string{"sentry/own-egress-upstream", "request/sentry-dns-allowed", "dns/allowed-name-tcp", "request/forward-chain-counted",
				"egress/allowed-tcp-443", "request/https-allowed-name", "dns/cname-to-private", "gate/forbidden-sni", "learn/after-resolving"},
			holds: []string{"request/http-forbidden-address", "sentry/own-egress-forbidden", "sentry/own-egress-foreign-resolver",
				"egress/forbidden-tcp-443", "gate/quic", "gate/unlisted-port", "request/sentry-dns-forbidden", "sentry/tcp-22"}},
		{name: "global", env: "RBRN_UPLINK_ACCESS_GLOBAL=true\nRBRN_UPLINK_DNS_GLOBAL=true\n",
			notRun: []string{"request/http-forbidden-address", "egress/forbidden-tcp-443", "request/sentry-dns-forbidden",
				"request/foreign-dns-udp", "sentry/own-egress-upstream", "request/forward-chain-counted"},
			holds: []string{"sentry/own-egress-forbidden", "sentry/own-egress-foreign-resolver", "egress/cloud-metadata", "sentry/tcp-22"}},
	} {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			tl := startLab(t, m.env)
			tl.sentry(t, "ip", "route", "del", "default")
			rs := tl.battery(t, false)
			for _, r := range rs {
				if r.Verdict == Broken {
					t.Errorf("%s: BROKEN on a sentry with no way out (observed %s, moved %v, why %q)", r.Case.Name, Observed(r.Observed), r.Moved, r.Why)
				}
			}
			wantVerdicts(t, rs, NotRun, m.notRun...)
			wantVerdicts(t, rs, Holds, m.holds...)
		})
	}
}
