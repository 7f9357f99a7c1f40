package lab_test

import (
	"context"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/lab"
	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/standin"
)

// TestE2EInterception runs the request's checks in both DNS interception
// modes: DNS to a foreign resolver never reaches it (refused in reject mode,
// answered by the sentry's filter in redirect mode), the sentry answers
// allowed names and NXDOMAINs the rest, HTTPS to an allowed name resolved
// through the bottle's resolv.conf works, HTTP to a forbidden address does
// not, and the matching rules' counters moved.
func TestE2EInterception(t *testing.T) {
	for _, mode := range []string{"redirect", "reject"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			tl := startLab(t, "RBRN_DNS_INTERCEPT="+mode+"\n")
			info, a, p := tl.info, tl.info.Addresses, tl.info.Policy
			if string(p.Intercept) != mode {
				t.Fatalf("lab runs interception %q, want %q", p.Intercept, mode)
			}
			sentry, foreign := p.SentryIP.String(), a.Foreign.String()
			allowedName, forbiddenName := lab.AllowedName(p), lab.ForbiddenName(p)
			allowedAddr := info.Records[allowedName]
			if allowedAddr != a.Allowed.String() || len(p.AllowedCIDRs) != 1 || !p.AllowedCIDRs[0].Contains(a.Allowed) {
				t.Fatalf("lab plan: %s -> %s, allowed server %s, CIDRs %v: the test needs the name on the allowed server", allowedName, allowedAddr, a.Allowed, p.AllowedCIDRs)
			}
			allowRule := "fwd-allow-" + p.AllowedCIDRs[0].String()
			before := tl.stats(t)

			// DNS to the foreign resolver, UDP and TCP, for both names.
			for _, c := range []struct {
				name    string
				overTCP bool
			}{{forbiddenName, false}, {forbiddenName, true}, {allowedName, false}, {allowedName, true}} {
				proto := "udp"
				if c.overTCP {
					proto = "tcp"
				}
				r, d := tl.try(t, dnsSpec(foreign, c.name, c.overTCP, passTimeout))
				what := describe(r)
				switch mode {
				case "reject":
					wantBlocked(t, r, probe.Refused)
					wantMoved(t, d, what, "fwd-dns-reject-"+proto)
				case "redirect":
					// The sentry's filter answers: NXDOMAIN for the
					// forbidden name, the real record (not the foreign
					// resolver's fixed answer) for the allowed one.
					if c.name == forbiddenName {
						wantAnswer(t, r, "NXDOMAIN")
					} else {
						wantAnswer(t, r, "NOERROR", allowedAddr)
					}
					wantMoved(t, d, what, "nat-dns-"+proto, "in-dns-"+proto)
					wantNotMoved(t, d, what, "fwd-dns-reject-"+proto)
				}
				wantNotMoved(t, d, what, "fwd-allow-global", allowRule)
			}

			// The sentry's resolver itself.
			r, d := tl.try(t, dnsSpec(sentry, allowedName, false, passTimeout))
			wantAnswer(t, r, "NOERROR", allowedAddr)
			wantMoved(t, d, describe(r), "in-dns-udp")
			r, _ = tl.try(t, dnsSpec(sentry, allowedName, true, passTimeout))
			wantAnswer(t, r, "NOERROR", allowedAddr)
			r, _ = tl.try(t, dnsSpec(sentry, forbiddenName, false, passTimeout))
			wantAnswer(t, r, "NXDOMAIN")

			// The request's literal `dig @sentry allowed-name`, as the bottle.
			if _, err := exec.LookPath("dig"); err == nil {
				argv, err := lab.ExecArgv(info, lab.Bottle, []string{"dig", "+time=2", "+tries=1", "+short", "@" + sentry, allowedName})
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				out, err := run(ctx, "", argv...)
				cancel()
				if got := strings.TrimSpace(string(out)); err != nil || got != allowedAddr {
					t.Errorf("dig @%s %s: %q, %v; want %s", sentry, allowedName, got, err, allowedAddr)
				}
			}

			// HTTPS by name: the bottle resolves through the sentry (the
			// lab's resolv.conf), the sentry forwards to the allowed CIDR.
			r, d = tl.try(t, probe.Spec{Kind: probe.KindHTTPS, URL: "https://" + allowedName + "/", CAFile: info.CAFile, Timeout: probe.Duration(passTimeout)})
			wantConnected(t, r)
			if !strings.Contains(r.Detail, "200") {
				t.Errorf("%s; want HTTP 200", describe(r))
			}
			wantMoved(t, d, describe(r), allowRule, "nat-masq")

			// HTTP to the forbidden address: dropped, counted.
			r, d = tl.try(t, probe.Spec{Kind: probe.KindHTTP, URL: "http://" + a.Forbidden.String() + "/", Timeout: probe.Duration(dropTimeout)})
			wantBlocked(t, r, probe.Timeout)
			wantMoved(t, d, describe(r), "fwd-drop")
			wantNotMoved(t, d, describe(r), allowRule)

			after := tl.stats(t)
			if after.Foreign.Total != before.Foreign.Total {
				t.Errorf("the foreign resolver got %d queries (%v), want none", after.Foreign.Total-before.Foreign.Total, after.Foreign.ByTransport)
			}
			wantWeb(t, before, after, a.Allowed, 0, 1)
			wantWeb(t, before, after, a.Forbidden, 0, 0)
		})
	}
}

// wantWeb checks how many HTTP and HTTPS requests reached the stand-in web
// server at addr between two readings of the stats.
func wantWeb(t *testing.T, before, after standin.Stats, addr netip.Addr, http, https int64) {
	t.Helper()
	b, a := before.Web[addr.String()], after.Web[addr.String()]
	if a.HTTP-b.HTTP != http || a.HTTPS-b.HTTPS != https {
		t.Errorf("web server %s got %d HTTP and %d HTTPS requests, want %d and %d", addr, a.HTTP-b.HTTP, a.HTTPS-b.HTTPS, http, https)
	}
}
