package sentry

import (
	"context"
	"maps"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/gate"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// loopbackGate serves a gate on loopback whose every connection "meant"
// 127.0.0.1:443 (the kernel seam replaced: no REDIRECT needed).
func loopbackGate(t *testing.T) (*gate.Server, string) {
	t.Helper()
	dst := netip.MustParseAddrPort("127.0.0.1:443")
	srv := &gate.Server{Answers: gate.NewAnswers(16), Handshake: 2 * time.Second, Logf: t.Logf,
		OriginalDst: func(*net.TCPConn) (netip.AddrPort, error) { return dst, nil }}
	srv.SetPolicy(policy.Policy{Egress: policy.EgressAllowlist, DNS: policy.DNSAllowlist, AllowedDomains: []string{"allowed.test"},
		Learn: policy.Learn{Enabled: true}, Gate: policy.Gate{Check: policy.NameCheckLearned, Ports: []uint16{443}}})
	l, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, l); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return srv, l.Addr().String()
}

// refused sends what to the gate and waits for the gate to count one more
// decision (it refuses: nothing is relayed anywhere).
func refused(t *testing.T, srv *gate.Server, addr, what string) {
	t.Helper()
	before := total(srv.Counts())
	c, err := net.DialTimeout("tcp4", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte(what))
	for deadline := time.Now().Add(5 * time.Second); total(srv.Counts()) == before; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the gate counted no decision for %q", what)
		}
	}
}

func total(m map[string]uint64) (n uint64) {
	for _, v := range m {
		n += v
	}
	return n
}

func TestGateCountsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	srv, addr := loopbackGate(t)
	w := &gateCountsWriter{path: gateCountsFile(dir), counts: srv.Counts, logf: t.Logf}

	w.save()
	if got, err := ReadGateCounts(dir); err != nil || got != nil {
		t.Fatalf("before any decision: %v, %v; want no file (nil, nil)", got, err)
	}
	refused(t, srv, addr, "GET / HTTP/1.1\r\nHost: forbidden.test\r\n\r\n")
	refused(t, srv, addr, "\x00")
	w.save()
	got, err := ReadGateCounts(dir)
	want := map[string]uint64{policy.GateName: 1, policy.GateUnread: 1}
	if err != nil || !maps.Equal(got, want) {
		t.Fatalf("ReadGateCounts = %v, %v; want %v", got, err, want)
	}

	// Unchanged counts are not written again: a removed file stays away.
	os.Remove(gateCountsFile(dir))
	w.save()
	if _, err := os.Stat(gateCountsFile(dir)); !os.IsNotExist(err) {
		t.Fatalf("unchanged counts were written again (stat: %v)", err)
	}
	refused(t, srv, addr, "\x00")
	w.save()
	want[policy.GateUnread] = 2
	if got, err := ReadGateCounts(dir); err != nil || !maps.Equal(got, want) {
		t.Fatalf("after a new decision: %v, %v; want %v", got, err, want)
	}
	if _, err := os.Stat(gateCountsFile(dir) + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("the temporary file is left behind (stat: %v)", err)
	}
}

func TestGateCountsWriterRunStopsWithContext(t *testing.T) {
	dir := t.TempDir()
	w := &gateCountsWriter{path: gateCountsFile(dir), counts: func() map[string]uint64 { return map[string]uint64{policy.GatePass: 3} }, logf: t.Logf}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.run(ctx); close(done) }()
	deadline := time.Now().Add(5 * saveEvery)
	for got, _ := ReadGateCounts(dir); got[policy.GatePass] != 3; got, _ = ReadGateCounts(dir) {
		if time.Now().After(deadline) {
			t.Fatal("run wrote nothing in five periods")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("run did not end with its context")
	}
}

func TestReadGateCountsErrors(t *testing.T) {
	dir := t.TempDir()
	if got, err := ReadGateCounts(filepath.Join(dir, "absent")); err != nil || got != nil {
		t.Errorf("missing directory: %v, %v; want nil, nil", got, err)
	}
	if err := os.WriteFile(gateCountsFile(dir), []byte("{half"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadGateCounts(dir)
	if err == nil || !strings.Contains(err.Error(), gateCountsFile(dir)) {
		t.Errorf("corrupt file: err = %v; want an error naming %s", err, gateCountsFile(dir))
	}
}

func TestGateCountsWriteFailureWarns(t *testing.T) {
	var warned []string
	w := &gateCountsWriter{path: filepath.Join(t.TempDir(), "absent", "gate.json"),
		counts: func() map[string]uint64 { return map[string]uint64{policy.GatePass: 1} },
		logf:   func(f string, a ...any) { warned = append(warned, f) }}
	w.save()
	if len(warned) != 1 || w.last != nil {
		t.Errorf("warnings %q, last %v; want one warning and nothing recorded as written (retried next time)", warned, w.last)
	}
}
