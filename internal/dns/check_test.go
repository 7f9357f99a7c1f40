package dns

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/runner"
)

func needDnsmasq(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath(binary); err != nil {
		t.Skip("dnsmasq is not installed")
	}
}

// TestGoldenConfigsPassDnsmasq has the real dnsmasq parse every golden file.
func TestGoldenConfigsPassDnsmasq(t *testing.T) {
	needDnsmasq(t)
	for name := range goldenPolicies {
		path := filepath.Join("testdata", name+".conf")
		if err := Check(t.Context(), runner.Exec{}, path); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCheckReportsDnsmasqMessage(t *testing.T) {
	needDnsmasq(t)
	err := Check(t.Context(), runner.Exec{}, filepath.Join("testdata", "broken.conf"))
	if err == nil || !strings.Contains(err.Error(), "bad option at line 3") {
		t.Fatalf("Check(broken.conf) = %v, want dnsmasq's \"bad option at line 3\"", err)
	}
}

func TestCheckCommandLine(t *testing.T) {
	f := &runner.Fake{}
	if err := Check(context.Background(), f, "/run/rbm/dnsmasq.conf"); err != nil {
		t.Fatal(err)
	}
	want := []string{"dnsmasq --test --conf-file=/run/rbm/dnsmasq.conf"}
	if got := f.Commands(); len(got) != 1 || got[0] != want[0] {
		t.Errorf("ran %q, want %q", got, want)
	}
}
