package verify_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/verify"
)

// wantVerdicts fails t for every named case whose verdict differs.
func wantVerdicts(t *testing.T, rs []verify.Result, want verify.Verdict, names ...string) {
	t.Helper()
	got := verdicts(rs)
	for _, n := range names {
		r, ok := got[n]
		if !ok {
			t.Errorf("%s did not run", n)
			continue
		}
		if r.Verdict != want {
			t.Errorf("%s: %s, want %s (observed %s, moved %v, why %q)", n, r.Verdict, want, verify.Observed(r.Observed), r.Moved, r.Why)
		}
	}
}

// The cases one ACCEPT-all rule at the top of FORWARD must break: the
// forbidden address becomes reachable, and the allow rules, the drop rules
// and the FORWARD jump stop counting, so even the cases whose probes still
// fail are caught by their counters.
var brokenByAcceptAll = []string{
	"egress/forbidden-tcp-443", "egress/forbidden-udp", "egress/forbidden-icmp", "egress/forbidden-quic-udp-443",
	"request/http-forbidden-address", "egress/cloud-metadata", "dns/dns-over-tls-853", "dns/foreign-resolver-port-5353",
	"egress/allowed-tcp-443", "egress/neighbour-subnet-above", "request/forward-chain-counted",
}

// What does not cross FORWARD still holds: the sentry's own resolver, the
// interception (nat, then INPUT), the sentry's closed ports, the bottle's
// own kernel.
var heldDespiteAcceptAll = []string{
	"request/sentry-dns-allowed", "request/sentry-dns-forbidden", "request/foreign-dns-udp", "request/foreign-dns-tcp",
	"sentry/tcp-22", "sentry/icmp", "escape/ipv6", "escape/route-change",
}

func TestBrokenSentryAcceptAll(t *testing.T) {
	t.Parallel()
	tl := startLab(t, "")
	tl.sentry(t, "iptables", "-I", "FORWARD", "1", "-j", "ACCEPT")

	rs := tl.battery(t, false)
	if verify.AllHold(rs) {
		t.Fatal("verify holds on a sentry that forwards everything")
	}
	wantVerdicts(t, rs, verify.Broken, brokenByAcceptAll...)
	wantVerdicts(t, rs, verify.Holds, heldDespiteAcceptAll...)
	if r := verdicts(rs)["egress/forbidden-tcp-443"]; r.Observed.Outcome != "connected" {
		t.Errorf("egress/forbidden-tcp-443 observed %s: the injected rule should have let it through", verify.Observed(r.Observed))
	}

	// The CLI on the same broken sentry: non-zero exit, broken cases named.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	junitFile := filepath.Join(t.TempDir(), "verify.xml")
	cmd := exec.CommandContext(ctx, rbmBin, "verify", "--lab", "--prefix", tl.lab.Prefix, "--junit", junitFile)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("rbm verify on a broken sentry: %v, want a non-zero exit status\n%s%s", err, stdout.String(), stderr.String())
	}
	shown := map[string]string{}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if f := strings.Fields(line); len(f) >= 2 {
			shown[f[1]] = f[0]
		}
	}
	for _, n := range brokenByAcceptAll {
		if shown[n] != string(verify.Broken) {
			t.Errorf("rbm verify output shows %s as %q, want BROKEN", n, shown[n])
		}
	}
	// --junit: every broken case is a failure with the rules that moved.
	x, err := os.ReadFile(junitFile)
	if err != nil {
		t.Fatal(err)
	}
	var js verify.JUnitSuites
	if err := xml.Unmarshal(x, &js); err != nil || len(js.Suites) != 1 {
		t.Fatalf("--junit wrote %v: %s", err, x)
	}
	failed := map[string]string{}
	for _, c := range js.Suites[0].Cases {
		if c.Failure != nil {
			failed[strings.TrimPrefix(c.Class, "rbm.verify.")+"/"+c.Name] = c.Failure.Text
		}
	}
	for _, n := range brokenByAcceptAll {
		if !strings.Contains(failed[n], "rules moved:") {
			t.Errorf("--junit: %s is not a failure with its rules (%q)", n, failed[n])
		}
	}
	if !strings.Contains(stderr.String(), "containment does not hold") {
		t.Errorf("rbm verify stderr %q: want it to say containment does not hold", stderr.String())
	}
	t.Logf("rbm verify exit status %d; %s", exit.ExitCode(), strings.TrimSpace(stderr.String()))
}

// With the nat table flushed in redirect mode nothing is intercepted any
// more: the foreign-resolver cases must fail. The FORWARD backstop still
// rejects port 53, so the query never reaches the foreign resolver.
func TestBrokenSentryNATFlushed(t *testing.T) {
	t.Parallel()
	tl := startLab(t, "RBRN_DNS_INTERCEPT=redirect\n")
	tl.sentry(t, "iptables", "-t", "nat", "-F")

	rs := tl.battery(t, false)
	if verify.AllHold(rs) {
		t.Fatal("verify holds with DNS interception gone")
	}
	foreign := []string{"request/foreign-dns-udp", "request/foreign-dns-tcp", "request/foreign-dns-tcp-connect"}
	wantVerdicts(t, rs, verify.Broken, foreign...)
	v := verdicts(rs)
	for _, n := range foreign {
		r := v[n]
		if !strings.Contains(r.Why, "rbm:nat-dns-") || !strings.Contains(r.Why, "did not move") && !strings.Contains(r.Why, "moved") {
			t.Errorf("%s: why %q, want it to say the interception rule did not move", n, r.Why)
		}
		if strings.Contains(r.Why, "foreign resolver received") || !slices.ContainsFunc(r.Moved, func(id string) bool { return strings.HasPrefix(id, "rbm:fwd-dns-reject-") }) {
			t.Errorf("%s: moved %v, why %q: want the FORWARD backstop to reject it before the foreign resolver", n, r.Moved, r.Why)
		}
	}
	// The filter table is intact: drops still hold.
	wantVerdicts(t, rs, verify.Holds, "egress/forbidden-tcp-443", "egress/cloud-metadata", "request/http-forbidden-address", "request/sentry-dns-allowed", "sentry/tcp-22")
}
