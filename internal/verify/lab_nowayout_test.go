package verify_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/verify"
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
				if r.Verdict == verify.Broken {
					t.Errorf("%s: BROKEN on a sentry with no way out (observed %s, moved %v, why %q)", r.Case.Name, verify.Observed(r.Observed), r.Moved, r.Why)
				}
			}
			wantVerdicts(t, rs, verify.NotRun, m.notRun...)
			wantVerdicts(t, rs, verify.Holds, m.holds...)
			if m.name == "allowlist" {
				checkNotRunCLI(t, tl, m.notRun)
			}
		})
	}
}

// checkNotRunCLI: rbm verify on the cut lab exits 3 (could not run, none
// BROKEN) and its JUnit report has the cases as errors, not failures.
func checkNotRunCLI(t *testing.T, tl *testLab, notRun []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	junitFile := filepath.Join(t.TempDir(), "verify.xml")
	cmd := exec.CommandContext(ctx, rbmBin, "verify", "--lab", "--prefix", tl.lab.Prefix, "--junit", junitFile)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("rbm verify with no way out: %v, want exit status 3\n%s%s", err, stdout.String(), stderr.String())
	}
	x, err := os.ReadFile(junitFile)
	if err != nil {
		t.Fatal(err)
	}
	var js verify.JUnitSuites
	if err := xml.Unmarshal(x, &js); err != nil || len(js.Suites) != 1 {
		t.Fatalf("--junit wrote %v: %s", err, x)
	}
	errored := map[string]string{}
	for _, c := range js.Suites[0].Cases {
		if c.Failure != nil {
			t.Errorf("--junit: %s.%s is a failure: %s", c.Class, c.Name, c.Failure.Message)
		}
		if c.Error != nil {
			errored[strings.TrimPrefix(c.Class, "rbm.verify.")+"/"+c.Name] = c.Error.Message
		}
	}
	for _, n := range notRun {
		if !strings.HasPrefix(errored[n], "could not run: ") {
			t.Errorf("--junit: %s is not an error saying it could not run (%q)", n, errored[n])
		}
	}
	t.Logf("rbm verify exit status %d; %s", exit.ExitCode(), strings.TrimSpace(stderr.String()))
}
