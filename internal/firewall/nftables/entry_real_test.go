package nftables_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// TestEntryFromInsideSentry proves the entry path rootless Podman's port
// forward takes (rootlessport's child dials one of the sentry's own
// addresses from inside the sentry's namespace): it reaches the bottle's
// service through nat-entry-local and out-entry, whichever address was
// dialled, and it opens nothing else. The port is published on loopback,
// so the uplink's gateway alone may use the uplink path; the wan here is
// a neighbour on the uplink, not that gateway.
func TestEntryFromInsideSentry(t *testing.T) {
	needRoot(t, "sysctl")
	tr := newTrio(t)
	ctx := context.Background()
	fw := tr.firewall(t)
	p := learningPolicy(600)
	p.Entry = &policy.Entry{WorkstationPort: 8443, EnclavePort: 8000, HostOnly: true}
	ifs := trafficIfs
	ifs.UplinkGateway = netip.MustParseAddr("198.51.100.253") // not the wan
	if err := fw.Apply(ctx, fw.Render(p, ifs)); err != nil {
		t.Fatal(err)
	}
	serveTCP(t, tr.bottle, "192.0.2.3:8000", "bottle")
	steps := []struct {
		name         string
		from         nsRunner
		addr, want   string
		moved, still []string
	}{
		{"sentry, uplink address", tr.sentry, "198.51.100.1:8443", "bottle",
			[]string{"rbm:nat-entry-local", "rbm:out-entry", "rbm:nat-entry-masq"}, []string{"rbm:nat-entry", "rbm:out-drop"}},
		{"sentry, enclave address", tr.sentry, "192.0.2.2:8443", "bottle",
			[]string{"rbm:nat-entry-local", "rbm:out-entry", "rbm:nat-entry-masq"}, []string{"rbm:nat-entry", "rbm:out-drop"}},
		{"sentry to the service without the entry", tr.sentry, "192.0.2.3:8000", "timeout",
			[]string{"rbm:out-drop"}, []string{"rbm:out-entry"}},
		{"bottle, uplink address", tr.bottle, "198.51.100.1:8443", "timeout",
			[]string{"rbm:in-enclave-drop"}, []string{"rbm:nat-entry-local", "rbm:nat-entry", "rbm:out-entry"}},
		{"bottle, enclave address", tr.bottle, "192.0.2.2:8443", "timeout",
			[]string{"rbm:in-enclave-drop"}, []string{"rbm:nat-entry-local", "rbm:nat-entry", "rbm:out-entry"}},
		{"uplink neighbour, uplink address", tr.wan, "198.51.100.1:8443", "timeout",
			[]string{"rbm:in-drop"}, []string{"rbm:nat-entry-local", "rbm:nat-entry", "rbm:out-entry"}},
		{"uplink neighbour, enclave address", tr.wan, "192.0.2.2:8443", "timeout",
			[]string{"rbm:in-drop"}, []string{"rbm:nat-entry-local", "rbm:nat-entry", "rbm:out-entry"}},
	}
	for _, s := range steps {
		before, err := fw.Counters(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := dial(s.from, s.addr)
		after, err := fw.Counters(ctx)
		if err != nil {
			t.Fatal(err)
		}
		d := after.Delta(before)
		if got != s.want {
			t.Errorf("%s: %s answered %q, want %q (moved %q)", s.name, s.addr, got, s.want, d.Moved())
		}
		checkMoved(t, s.name, d, s.moved, s.still)
	}
}

// checkMoved fails unless every counter in moved counted packets and none
// in still did.
func checkMoved(t *testing.T, name string, d firewall.Snapshot, moved, still []string) {
	t.Helper()
	for _, id := range moved {
		if d.Rules[id].Packets == 0 {
			t.Errorf("%s: %s did not count; moved %q", name, id, d.Moved())
		}
	}
	for _, id := range still {
		if d.Rules[id].Packets != 0 {
			t.Errorf("%s: %s counted", name, id)
		}
	}
}
