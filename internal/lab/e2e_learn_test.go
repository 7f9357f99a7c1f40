package lab_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/lab"
	"github.com/recipe-bottle/rbm/internal/probe"
)

// TestE2ELearnedName: an allowed name whose address is in no allowed CIDR
// opens only once the bottle resolved it, over TCP and HTTPS; a forbidden
// name's address stays closed, resolved or not. Address-level learning,
// without the name gate (TestE2ENameGate has it on).
func TestE2ELearnedName(t *testing.T) {
	forBackends(t, func(t *testing.T, be string) {
		tl := startLab(t, backendEnv(be)+"RBRN_UPLINK_NAME_CHECK=off\n")
		a, p, sentry := tl.info.Addresses, tl.info.Policy, tl.info.Policy.SentryIP.String()
		learned := a.Learned.String()

		r, d := tl.try(t, tcpSpec(learned+":443", dropTimeout))
		wantBlocked(t, r, probe.Timeout)
		wantMoved(t, d, "before resolving", "fwd-drop")
		wantNotMoved(t, d, "before resolving", "fwd-learned")

		wantAnswer(t, tl.probes(t, false, dnsSpec(sentry, lab.LearnName(p), false, passTimeout))[0], "NOERROR", learned)
		r, d = tl.try(t, tcpSpec(learned+":443", passTimeout))
		wantConnected(t, r)
		wantMoved(t, d, "after resolving", "fwd-learned", "fwd-learned-"+learned)
		wantNotMoved(t, d, "after resolving", "fwd-drop")
		https := probe.Spec{Kind: probe.KindHTTPS, URL: "https://" + lab.LearnName(p) + "/", CAFile: tl.info.CAFile,
			Resolve: lab.LearnName(p) + ":443:" + learned, Timeout: probe.Duration(passTimeout)}
		if r := tl.probes(t, false, https)[0]; r.Outcome != probe.Connected {
			t.Errorf("%s; want an HTTPS answer from the learned server", describe(r))
		}

		// rbm counters names the learned address's counter and its name.
		want := "rbm:fwd-learned-" + learned + " (" + lab.LearnName(p) + ")"
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			out, err := run(t.Context(), "", "ip", "netns", "exec", tl.ns(lab.Sentry), tl.rbm, "counters", "--state-dir", tl.info.SentryDir)
			if err == nil && strings.Contains(string(out), want) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("rbm counters lacks %q: %v\n%s", want, err, out)
			}
		}

		wantAnswer(t, tl.probes(t, false, dnsSpec(sentry, lab.ForbiddenName(p), false, passTimeout))[0], "NXDOMAIN")
		r, d = tl.try(t, tcpSpec(a.Forbidden.String()+":443", dropTimeout))
		wantBlocked(t, r, probe.Timeout)
		wantMoved(t, d, "forbidden address", "fwd-drop")
		if st := tl.stats(t); st.Resolver[lab.ForbiddenName(p)] != 0 {
			t.Errorf("the forbidden name reached the upstream %d times", st.Resolver[lab.ForbiddenName(p)])
		}
	})
}

// TestE2ELearnNoRace: a connect issued right after the answer arrives
// succeeds, 200 times in a row, each time with the learned set emptied
// first and a name no cache has seen.
func TestE2ELearnNoRace(t *testing.T) {
	forBackends(t, func(t *testing.T, be string) {
		tl := startLab(t, backendEnv(be)+"")
		a, p, sentry := tl.info.Addresses, tl.info.Policy, tl.info.Policy.SentryIP.String()
		for i := range 200 {
			flush := []string{"ipset", "flush", "rbm-learn4"}
			if be == "nftables" {
				flush = []string{"nft", "flush", "set", "inet", "rbm", "learn4"}
			}
			if _, err := run(t.Context(), "", append([]string{"ip", "netns", "exec", tl.ns(lab.Sentry)}, flush...)...); err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("n%d.%s", i, lab.RaceDomain(p))
			res, err := tl.probeBatch(t.Context(), false, 1, []probe.Spec{
				dnsSpec(sentry, name, false, passTimeout), tcpSpec(a.Learned.String()+":443", passTimeout)})
			if err != nil {
				t.Fatal(err)
			}
			if res[0].Rcode != "NOERROR" || res[1].Outcome != probe.Connected {
				t.Fatalf("round %d: %s then %s; want an answer and a connection", i, describe(res[0]), describe(res[1]))
			}
		}
	})
}

// TestE2ELearnOff: with RBRN_UPLINK_LEARN_ADDRESSES=false resolving opens
// nothing: egress is the CIDR list alone.
func TestE2ELearnOff(t *testing.T) {
	forBackends(t, func(t *testing.T, be string) {
		tl := startLab(t, backendEnv(be)+"RBRN_UPLINK_LEARN_ADDRESSES=false\n")
		a, p, sentry := tl.info.Addresses, tl.info.Policy, tl.info.Policy.SentryIP.String()
		wantAnswer(t, tl.probes(t, false, dnsSpec(sentry, lab.LearnName(p), false, passTimeout))[0], "NOERROR", a.Learned.String())
		r, d := tl.try(t, tcpSpec(a.Learned.String()+":443", dropTimeout))
		wantBlocked(t, r, probe.Timeout)
		wantMoved(t, d, "CIDR-only", "fwd-drop")
		wantConnected(t, tl.probes(t, false, tcpSpec(a.Allowed.String()+":443", passTimeout))[0])
	})
}

// TestE2ELearnExpiryAndCap: a learned address closes a lifetime after its
// answer while a connection opened before keeps working; with the set full
// a newly resolved address stays closed and the sentry says so.
func TestE2ELearnExpiryAndCap(t *testing.T) {
	forBackends(t, func(t *testing.T, be string) {
		const lifetime = 3 * time.Second
		tl := startLab(t, backendEnv(be)+fmt.Sprintf("RBRN_UPLINK_LEARN_LIFETIME=%d\nRBRN_UPLINK_LEARN_MAX=1\n", int(lifetime.Seconds())))
		a, p, sentry := tl.info.Addresses, tl.info.Policy, tl.info.Policy.SentryIP.String()
		r := tl.probes(t, false, dnsSpec(sentry, lab.LearnName(p), false, passTimeout))[0]
		if r.Rcode != "NOERROR" || r.TTL > uint32(lifetime.Seconds()/2) {
			t.Errorf("%s TTL %d; want an answer whose TTL is at most half the lifetime", describe(r), r.TTL)
		}
		held := make(chan string, 1)
		go func() { // opened now, used again after the address expired
			_, out := dialHolding(t, tl.ns(lab.Bottle), a.Learned.String()+":22", lifetime+time.Second)
			held <- out
		}()
		wantConnected(t, tl.probes(t, false, tcpSpec(a.Learned.String()+":443", passTimeout))[0])

		wantAnswer(t, tl.probes(t, false, dnsSpec(sentry, lab.Learn2Name(p), false, passTimeout))[0], "NOERROR", a.Learned2.String())
		wantBlocked(t, tl.probes(t, false, tcpSpec(a.Learned2.String()+":443", dropTimeout))[0], probe.Timeout)
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(tl.sentryLog(t), "learned set full"); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the sentry did not report the full set:\n%s", lastLines(tl.sentryLog(t), 10))
			}
		}

		time.Sleep(lifetime + 500*time.Millisecond)
		r2, d := tl.try(t, tcpSpec(a.Learned.String()+":443", dropTimeout))
		wantBlocked(t, r2, probe.Timeout)
		wantMoved(t, d, "after expiry", "fwd-drop")
		if out := <-held; out != "echo ok" {
			t.Errorf("the connection opened before expiry: %q, want it to keep working", out)
		}
	})
}

// TestE2ELearnReload: a reload that narrows the allowed domains forgets
// the addresses learned for names no longer allowed and keeps the others.
func TestE2ELearnReload(t *testing.T) {
	forBackends(t, func(t *testing.T, be string) {
		tl := startLab(t, backendEnv(be)+"")
		a, p, sentry := tl.info.Addresses, tl.info.Policy, tl.info.Policy.SentryIP.String()
		tl.probes(t, false, dnsSpec(sentry, lab.LearnName(p), false, passTimeout), dnsSpec(sentry, lab.Learn2Name(p), false, passTimeout))
		envPath := filepath.Join(lab.StateDir(tl.lab.Prefix), "sentry.env")
		orig, err := os.ReadFile(envPath)
		if err != nil {
			t.Fatal(err)
		}
		narrowed := strings.NewReplacer(
			"RBRN_UPLINK_ALLOWED_DOMAINS="+strings.Join(p.AllowedDomains, " ")+"\n", "RBRN_UPLINK_ALLOWED_DOMAINS="+lab.LearnName(p)+"\n",
			"RBRN_DNS_REBIND_OK_DOMAINS="+strings.Join(p.RebindOK, " ")+"\n", "RBRN_DNS_REBIND_OK_DOMAINS="+lab.LearnName(p)+"\n",
		).Replace(string(orig))
		if narrowed == string(orig) {
			t.Fatalf("sentry.env has no domain lines to narrow:\n%s", orig)
		}
		if err := os.WriteFile(envPath, []byte(narrowed), 0o644); err != nil {
			t.Fatal(err)
		}
		pids := sentryPIDs(t, tl.ns(lab.Sentry))
		if len(pids) != 1 {
			t.Fatalf("want one sentry, found %v", pids)
		}
		if err := syscall.Kill(pids[0], syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(tl.sentryLog(t), "reloaded:"); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no reload:\n%s", lastLines(tl.sentryLog(t), 10))
			}
		}
		wantConnected(t, tl.probes(t, false, tcpSpec(a.Learned.String()+":443", passTimeout))[0])
		wantBlocked(t, tl.probes(t, false, tcpSpec(a.Learned2.String()+":443", dropTimeout))[0], probe.Timeout)
	})
}

// labBackends are the firewall backends every learned-egress test runs on.
var labBackends = []string{"iptables", "nftables"}

// forBackends runs fn as a parallel subtest per firewall backend.
func forBackends(t *testing.T, fn func(t *testing.T, backend string)) {
	for _, be := range labBackends {
		t.Run(be, func(t *testing.T) {
			t.Parallel()
			fn(t, be)
		})
	}
}

// backendEnv is the configuration line selecting backend be.
func backendEnv(be string) string { return "RBRR_FIREWALL_BACKEND=" + be + "\n" }
