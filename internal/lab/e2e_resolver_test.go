package lab_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/lab"
	"github.com/recipe-bottle/rbm/internal/standin"
)

// TestE2ERuntimeResolver: with RBRR_DNS_SERVER unset the sentry forwards to
// the resolver of its own resolv.conf (the lab writes the stand-in upstream
// there, as a runtime writes the host's), says so in its ready line, and
// follows a change of that file on reload: after the file names the
// foreign stand-in, an allowed name gets that resolver's fixed answer.
func TestE2ERuntimeResolver(t *testing.T) {
	t.Parallel()
	tl := startLab(t, "RBRR_DNS_SERVER=\n")
	a, p := tl.info.Addresses, tl.info.Policy
	if p.Upstream.IsValid() {
		t.Fatalf("the lab's policy has upstream %v; the test needs it unset", p.Upstream)
	}
	log := tl.sentryLog(t)
	if !strings.Contains(log, "DNS allowlist via "+a.Upstream.String()+",") {
		t.Fatalf("the ready line does not name the runtime's resolver %s:\n%s", a.Upstream, lastLines(log, 10))
	}
	name, sentry := lab.AllowedName(p), p.SentryIP.String()
	r, _ := tl.try(t, dnsSpec(sentry, name, false, passTimeout))
	wantAnswer(t, r, "NOERROR", tl.info.Records[name])

	// The laptop changed networks: the runtime's resolver is now another.
	// The file is rewritten in place: ip netns exec bind-mounted it.
	conf := filepath.Join("/etc/netns", tl.ns(lab.Sentry), "resolv.conf")
	if err := os.WriteFile(conf, []byte("nameserver "+a.Foreign.String()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pids := sentryPIDs(t, tl.ns(lab.Sentry))
	if len(pids) != 1 {
		t.Fatalf("want one sentry process, found %v", pids)
	}
	if err := syscall.Kill(pids[0], syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	want := "reloaded: egress allowlist, DNS allowlist via " + a.Foreign.String() + ","
	for i := 0; !strings.Contains(tl.sentryLog(t), want); i++ {
		if i == 100 {
			t.Fatalf("no %q in the sentry's log:\n%s", want, lastLines(tl.sentryLog(t), 10))
		}
		time.Sleep(100 * time.Millisecond)
	}
	r, _ = tl.try(t, dnsSpec(sentry, name, false, passTimeout))
	wantAnswer(t, r, "NOERROR", standin.DefaultForeignAnswer)
}
