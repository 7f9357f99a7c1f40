package lab_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/lab"
)

// TestE2EEntryPort serves a TCP echo in the bottle namespace on the enclave
// port and reaches it from the wan (the workstation's side) at the sentry's
// uplink address and workstation port: the bytes come back, the bottle sees
// the sentry as the peer (masquerade toward the enclave), and the entry
// rules counted; the same from inside the sentry (rootless Podman's port
// forward). The enclave port itself is not open on the uplink.
func TestE2EEntryPort(t *testing.T) {
	t.Parallel()
	tl := startLab(t, "")
	a, p := tl.info.Addresses, tl.info.Policy
	if p.Entry == nil {
		t.Fatal("the lab's example has no entry port")
	}
	peers := serveEcho(t, tl.ns(lab.Bottle), netip.AddrPortFrom(p.BottleIP, p.Entry.EnclavePort).String())

	entry := netip.AddrPortFrom(a.SentryUplink, p.Entry.WorkstationPort).String()
	before := tl.counters(t)
	msg := "rbm entry port " + tl.lab.Prefix
	if code, out := dialEcho(t, tl.ns(lab.Wan), entry, msg); code != 0 {
		t.Fatalf("from the wan to %s: %s (status %d); want the bottle's echo", entry, out, code)
	}
	select {
	case peer := <-peers:
		if peer != p.SentryIP.String() {
			t.Errorf("the bottle's service saw the connection from %s, want the sentry %s (masquerade toward the enclave)", peer, p.SentryIP)
		}
	case <-time.After(2 * time.Second):
		t.Error("the bottle's service never reported the connection")
	}
	wantMoved(t, tl.counters(t).Delta(before), "entry port from the wan", "nat-entry", "fwd-entry", "nat-entry-masq")

	// Rootless Podman's port forward dials the entry port from inside the
	// sentry's namespace, at either of the sentry's addresses.
	for _, own := range []netip.Addr{a.SentryUplink, p.SentryIP} {
		local := netip.AddrPortFrom(own, p.Entry.WorkstationPort).String()
		before = tl.counters(t)
		if code, out := dialEcho(t, tl.ns(lab.Sentry), local, msg); code != 0 {
			t.Fatalf("from the sentry to %s: %s (status %d); want the bottle's echo", local, out, code)
		}
		select {
		case peer := <-peers:
			if peer != p.SentryIP.String() {
				t.Errorf("from the sentry to %s: the bottle saw %s, want %s", local, peer, p.SentryIP)
			}
		case <-time.After(2 * time.Second):
			t.Errorf("from the sentry to %s: the bottle's service never reported the connection", local)
		}
		d := tl.counters(t).Delta(before)
		wantMoved(t, d, "entry port from the sentry to "+local, "nat-entry-local", "out-entry", "nat-entry-masq")
		wantNotMoved(t, d, "entry port from the sentry to "+local, "nat-entry", "out-drop")
	}

	// Only the workstation port is forwarded: the enclave port on the
	// uplink is the sentry's own, and closed.
	closed := netip.AddrPortFrom(a.SentryUplink, p.Entry.EnclavePort).String()
	before = tl.counters(t)
	if code, out := dialEcho(t, tl.ns(lab.Wan), closed, msg); code != 1 || !strings.Contains(out, "timeout") {
		t.Errorf("from the wan to %s: %s (status %d); want a dropped connection", closed, out, code)
	}
	d := tl.counters(t).Delta(before)
	wantMoved(t, d, "enclave port from the wan", "in-drop")
	wantNotMoved(t, d, "enclave port from the wan", "nat-entry", "fwd-entry")
	select {
	case peer := <-peers:
		t.Errorf("the bottle's service got a connection from %s through the enclave port", peer)
	default:
	}
}
