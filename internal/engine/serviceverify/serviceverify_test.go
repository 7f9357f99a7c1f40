package serviceverify

import (
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/enginehost"
)

// TestCAFileWarning: a CA file outside what the engine's VM shares is named
// with what it does share; inside it, or with the engine here, nothing.
func TestCAFileWarning(t *testing.T) {
	colima := enginehost.Host{Engine: "Docker", VM: "colima", OS: "linux"}
	w := CAFileWarning(colima, "/var/folders/xy/T/ca.pem", "/Users/ada")
	if !strings.Contains(w, "--ca-file /var/folders/xy/T/ca.pem") || !strings.Contains(w, "shares only /Users/ada, /tmp/colima") {
		t.Errorf("colima, /var/folders: %q", w)
	}
	if w := CAFileWarning(colima, "/Users/ada/ca.pem", "/Users/ada"); w != "" {
		t.Errorf("colima, the home: %q, want nothing", w)
	}
	if w := CAFileWarning(enginehost.Host{Engine: "Podman", OS: "linux"}, "/etc/ca.pem", "/root"); w != "" {
		t.Errorf("engine on this machine: %q, want nothing", w)
	}
}
