package lab_test

import (
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/lab"
	"github.com/recipe-bottle/rbm/internal/probe"
)

// TestE2ENameGate attacks the name gate as a bottle would, on both
// backends: once an allowed name opened its address, only that name
// passes there. Another name in the SNI or the Host header (fronting), no
// SNI, and an allowed name whose own answer carried another address are
// refused; the stand-in server sees only the allowed requests; a learned
// address opens no port outside RBRN_UPLINK_LEARN_PORTS.
func TestE2ENameGate(t *testing.T) {
	forBackends(t, func(t *testing.T, be string) {
		tl := startLab(t, backendEnv(be)) // the gate is on by default
		a, p, sentry := tl.info.Addresses, tl.info.Policy, tl.info.Policy.SentryIP.String()
		learned, name, other := a.Learned.String(), lab.LearnName(p), lab.Learn2Name(p)
		wantAnswer(t, tl.probes(t, false, dnsSpec(sentry, name, false, passTimeout))[0], "NOERROR", learned)
		wantAnswer(t, tl.probes(t, false, dnsSpec(sentry, other, false, passTimeout))[0], "NOERROR", a.Learned2.String())
		web := func(scheme, host, port string) probe.Spec {
			return probe.Spec{Kind: probe.Kind(scheme), URL: scheme + "://" + host + "/", CAFile: tl.info.CAFile,
				Resolve: host + ":" + port + ":" + learned, Timeout: probe.Duration(passTimeout)}
		}
		before := tl.stats(t).Web[learned]

		r, d := tl.try(t, web("https", name, "443"))
		wantConnected(t, r)
		wantMoved(t, d, "the allowed name over TLS", "nat-name", "in-gate", "out-gate")
		wantNotMoved(t, d, "the allowed name over TLS", "fwd-learned")
		wantConnected(t, tl.probes(t, false, web("http", name, "80"))[0])

		refused := []probe.Spec{
			web("https", lab.ForbiddenName(p), "443"), // SNI of a forbidden name on the learned address
			web("http", lab.ForbiddenName(p), "80"),   // Host of a forbidden name
			web("https", other, "443"),                // an allowed name whose answer carried another address
			{Kind: probe.KindHTTPS, URL: "https://" + learned + "/", CAFile: tl.info.CAFile, Timeout: probe.Duration(passTimeout)}, // no SNI
		}
		for _, s := range refused {
			wantBlocked(t, tl.probes(t, false, s)[0], "")
		}
		after := tl.stats(t).Web[learned]
		if after.HTTPS-before.HTTPS != 1 || after.HTTP-before.HTTP != 1 {
			t.Errorf("the learned server answered %d HTTPS and %d HTTP requests, want exactly the allowed one of each",
				after.HTTPS-before.HTTPS, after.HTTP-before.HTTP)
		}

		// Address-level ports: 22 is a learn port, 8443 is not.
		r, d = tl.try(t, tcpSpec(learned+":22", passTimeout))
		wantConnected(t, r)
		wantMoved(t, d, "a learn port", "fwd-learned")
		r, d = tl.try(t, tcpSpec(learned+":8443", dropTimeout))
		wantBlocked(t, r, probe.Timeout)
		wantMoved(t, d, "a port a learned address does not open", "fwd-drop")

		// Every refusal is an event naming its rule and the name.
		for _, want := range []string{"rbm:gate-name", "rbm:gate-unlearned", "rbm:gate-no-name", lab.ForbiddenName(p)} {
			waitLog(t, tl, want)
		}
	})
}

// waitLog waits for the sentry's log (its events included) to mention want.
func waitLog(t *testing.T, tl *testLab, want string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if strings.Contains(tl.sentryLog(t), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("the sentry's log never mentions %q:\n%s", want, lastLines(tl.sentryLog(t), 20))
			return
		}
	}
}

// TestE2ENameGateAll: with RBRN_UPLINK_NAME_CHECK=all an allowed CIDR on a
// checked port opens only to allowed names too; other ports of the CIDR
// stay open by address.
func TestE2ENameGateAll(t *testing.T) {
	forBackends(t, func(t *testing.T, be string) {
		tl := startLab(t, backendEnv(be)+"RBRN_UPLINK_NAME_CHECK=all\n")
		a, p := tl.info.Addresses, tl.info.Policy
		allowed := a.Allowed.String()
		web := func(scheme, host, port string) probe.Spec {
			return probe.Spec{Kind: probe.Kind(scheme), URL: scheme + "://" + host + "/", CAFile: tl.info.CAFile,
				Resolve: host + ":" + port + ":" + allowed, Timeout: probe.Duration(passTimeout)}
		}
		r, d := tl.try(t, web("https", lab.AllowedName(p), "443"))
		wantConnected(t, r)
		wantMoved(t, d, "an allowed name to an allowed CIDR", "nat-name-cidrs", "out-gate-cidrs")
		r, d = tl.try(t, web("https", lab.ForbiddenName(p), "443"))
		wantBlocked(t, r, probe.Refused)
		wantMoved(t, d, "a forbidden name to an allowed CIDR", "nat-name-cidrs")
		wantNotMoved(t, d, "a forbidden name to an allowed CIDR", "out-gate-cidrs")
		r, d = tl.try(t, tcpSpec(allowed+":22", passTimeout))
		wantConnected(t, r)
		wantNotMoved(t, d, "another port of the allowed CIDR", "nat-name-cidrs")
	})
}
