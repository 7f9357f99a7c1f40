package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/firewall/backends"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// runRender runs rbm render with args and returns its output.
func runRender(t *testing.T, args ...string) string {
	t.Helper()
	cmd := newRenderCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("rbm render %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

// TestRenderGolden pins rbm render's plan for the examples on both
// backends, with the default interfaces (the uplink's prefix is Podman's
// default network: its guard rules show).
func TestRenderGolden(t *testing.T) {
	for _, backend := range backends.Names {
		for _, nameplate := range []string{"allowlist", "offline"} {
			t.Run(backend+"/"+nameplate, func(t *testing.T) {
				t.Setenv("RBRR_FIREWALL_BACKEND", backend)
				got := runRender(t, "--regime", "../../examples/regime.env", "--nameplate", "../../examples/"+nameplate+".env")
				golden := filepath.Join("testdata", "render-"+nameplate+"-"+backend+".golden")
				if *update {
					if err := os.MkdirAll("testdata", 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if got != string(want) {
					t.Errorf("rbm render differs from %s (run with -update and review the diff):\n%s", golden, got)
				}
			})
		}
	}
}

func TestRenderRefusesBadInterfaces(t *testing.T) {
	for _, tc := range []struct{ flag, value, want string }{
		{"--enclave-if", "eth1;drop", "--enclave-if/--uplink-if"},
		{"--uplink-prefix", "10.88.0.1/16", "--uplink-prefix"},
		{"--uplink-prefix", "2001:db8::/32", "--uplink-prefix"},
		{"--uplink-gateway", "nope", "--uplink-gateway"},
	} {
		cmd := newRenderCmd()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs([]string{"--regime", "../../examples/regime.env", "--nameplate", "../../examples/allowlist.env", tc.flag, tc.value})
		err := cmd.Execute()
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.value) {
			t.Errorf("%s %s: error %v; want one naming %s and the value", tc.flag, tc.value, err, tc.want)
		}
		if strings.Contains(out.String(), "###") {
			t.Errorf("%s %s: printed a plan although refused", tc.flag, tc.value)
		}
	}
}
