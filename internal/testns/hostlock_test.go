package testns

import (
	"os"
	"regexp"
	"testing"
)

// TestHostLockPathPerNamespace: two namespaces, two locks; one namespace,
// one lock, however often asked.
func TestHostLockPathPerNamespace(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: creates a network namespace")
	}
	here, err := HostLockPath()
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^/run/rbm-container-tests-net[0-9]+\.lock$`).MatchString(here) {
		t.Fatalf("lock path %q", here)
	}
	if again, _ := HostLockPath(); again != here {
		t.Errorf("asked twice in one namespace: %q then %q", here, again)
	}
	var there string
	if err := Do(New(t, "rbmt-lock"), func() (err error) { there, err = HostLockPath(); return err }); err != nil {
		t.Fatal(err)
	}
	if there == here || there == "" {
		t.Errorf("another namespace has the lock %q, this one %q", there, here)
	}
}
