package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/runner"
)

const liveOut = "# live configuration: as started (environment and files)\nRBRN_MONIKER=notebook\nRBRR_POD_SUBNET=10.242.0.0/24\nRBRR_SENTRY_IP=10.242.0.2\nRBRR_BOTTLE_IP=10.242.0.3\n"

// ResolvedConfig asks the sentry for its resolver too, and reads an older
// sentry (no --resolved) as LiveConfig does; other failures stay failures.
func TestResolvedConfig(t *testing.T) {
	for _, tc := range []struct {
		name      string
		resolved  error
		wantCalls int
		wantDNS   string
		wantErr   bool
	}{
		{"the sentry fills the resolver", nil, 1, "203.0.113.53", false},
		{"an older sentry", &runner.ExitError{Err: errors.New("exit status 1"), Stderr: "Error: unknown flag: --resolved"}, 2, "", false},
		{"the sentry is not running", &runner.ExitError{Err: errors.New("exit status 125"), Stderr: "Error: no container with name or ID"}, 1, "", true},
	} {
		r := &runner.Fake{Respond: func(c runner.Cmd) ([]byte, error) {
			if strings.HasSuffix(c.String(), "--resolved") {
				return []byte(liveOut + "RBRR_DNS_SERVER=203.0.113.53\n"), tc.resolved
			}
			return []byte(liveOut), nil
		}}
		c, _, err := ResolvedConfig(context.Background(), cliRuntime{}, r, NamesFor("notebook"))
		if (err != nil) != tc.wantErr || len(r.Calls) != tc.wantCalls {
			t.Errorf("%s: err %v, calls %q", tc.name, err, r.Commands())
			continue
		}
		if err == nil && (c.DNSServer.IsValid() != (tc.wantDNS != "") || tc.wantDNS != "" && c.DNSServer.String() != tc.wantDNS) {
			t.Errorf("%s: RBRR_DNS_SERVER %v, want %q", tc.name, c.DNSServer, tc.wantDNS)
		}
		if got := r.Commands()[0]; got != "podman exec notebook-sentry rbm sentry config --resolved" {
			t.Errorf("%s: first command %q", tc.name, got)
		}
	}
}
