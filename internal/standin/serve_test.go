package standin

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/probe/nstest"
)

// The serving tests run in a throwaway namespace (root only: nstest) whose
// loopback holds the stand-in's documentation addresses, as the lab's wan
// namespace would.
var onLoopback = nstest.Options{Setup: [][]string{
	{"ip", "addr", "add", "192.0.2.53/32", "dev", "lo"},
	{"ip", "addr", "add", "192.0.2.10/32", "dev", "lo"},
	{"ip", "addr", "add", "203.0.113.53/32", "dev", "lo"},
	{"ip", "addr", "add", "198.51.100.7/32", "dev", "lo"},
}}

func testConfig(t *testing.T) Config {
	dir := t.TempDir()
	return Config{
		Resolver: Resolver{Addr: "192.0.2.53", Records: map[string][]string{
			"web.test":    {"192.0.2.10", "2001:db8::10"},
			"API.test":    {"192.0.2.11"},
			"*.wild.test": {"192.0.2.12"},
		}},
		Foreign:     []string{"203.0.113.53"},
		Web:         []string{"192.0.2.10"},
		Echo:        []string{"198.51.100.7:443"},
		CAFile:      filepath.Join(dir, "ca.pem"),
		StatsSocket: filepath.Join(dir, "standin.sock"),
	}
}

// probeAll runs specs and fails t for each outcome other than want.
func probeAll(t *testing.T, want probe.Outcome, specs ...probe.Spec) []probe.Result {
	t.Helper()
	rs := probe.RunBatch(context.Background(), specs, 4)
	for _, r := range rs {
		if r.Outcome != want {
			t.Errorf("%+v: %s (%s), want %s", r.Spec, r.Outcome, r.Detail, want)
		}
	}
	return rs
}

func TestServe(t *testing.T) {
	if !nstest.Enter(t, onLoopback) {
		return
	}
	cfg := testConfig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := Serve(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}

	checkResolver(t)
	checkForeign(t)
	checkWeb(t, cfg.CAFile)
	probeAll(t, probe.Answered, probe.Spec{Kind: probe.KindUDP, Target: "198.51.100.7:443"})
	probeAll(t, probe.Connected, probe.Spec{Kind: probe.KindTCP, Target: "198.51.100.7:443"})
	checkStats(t, srv, cfg.StatsSocket)

	if _, err := Serve(ctx, Config{StatsSocket: cfg.StatsSocket}); err == nil || !strings.Contains(err.Error(), "another stand-in") {
		t.Errorf("second stand-in on a live stats socket: %v, want an error", err)
	}
	checkStops(t, cancel, srv, cfg)
}

func checkResolver(t *testing.T) {
	t.Helper()
	dns := func(name, qtype string, tcp bool) probe.Spec {
		return probe.Spec{Kind: probe.KindDNS, Server: "192.0.2.53", Name: name, QType: qtype, TCP: tcp}
	}
	rs := probeAll(t, probe.Answered,
		dns("web.test", "A", false), dns("WEB.test", "AAAA", true), dns("api.test", "A", false),
		dns("nowhere.test", "A", false), dns("web.test", "AXFR", true),
		dns("a.wild.test", "A", false), dns("b.c.wild.test", "A", true), dns("wild.test", "A", false))
	wants := []struct {
		rcode   string
		answers []string
	}{{"NOERROR", []string{"192.0.2.10"}}, {"NOERROR", []string{"2001:db8::10"}}, {"NOERROR", []string{"192.0.2.11"}},
		{"NXDOMAIN", nil}, {"REFUSED", nil},
		{"NOERROR", []string{"192.0.2.12"}}, {"NOERROR", []string{"192.0.2.12"}}, {"NXDOMAIN", nil}}
	for i, w := range wants {
		if rs[i].Rcode != w.rcode || !slices.Equal(rs[i].Answers, w.answers) {
			t.Errorf("%s %s: %s %v, want %s %v", rs[i].Spec.Name, rs[i].Spec.QType, rs[i].Rcode, rs[i].Answers, w.rcode, w.answers)
		}
	}
}

func checkForeign(t *testing.T) {
	t.Helper()
	rs := probeAll(t, probe.Answered,
		probe.Spec{Kind: probe.KindDNS, Server: "203.0.113.53", Name: "anything.test"},
		probe.Spec{Kind: probe.KindDNS, Server: "203.0.113.53", Name: "exfil.anything.test", TCP: true},
		probe.Spec{Kind: probe.KindDNS, Server: "203.0.113.53:5353", Name: "a.test"},
		probe.Spec{Kind: probe.KindDNS, Server: "203.0.113.53:5353", Name: "a.test", TCP: true})
	for _, r := range rs {
		if !slices.Equal(r.Answers, []string{DefaultForeignAnswer}) {
			t.Errorf("foreign %s: answers %v, want %s", r.Spec.Server, r.Answers, DefaultForeignAnswer)
		}
	}
	probeAll(t, probe.Connected, probe.Spec{Kind: probe.KindTCP, Target: "203.0.113.53:853"})
}

func checkWeb(t *testing.T, ca string) {
	t.Helper()
	rs := probeAll(t, probe.Connected,
		probe.Spec{Kind: probe.KindHTTPS, URL: "https://web.test/", CAFile: ca, Resolve: "web.test:443:192.0.2.10"},
		probe.Spec{Kind: probe.KindHTTPS, URL: "https://api.test/", CAFile: ca, Resolve: "api.test:443:192.0.2.10"},
		probe.Spec{Kind: probe.KindHTTPS, URL: "https://192.0.2.10/", CAFile: ca},
		probe.Spec{Kind: probe.KindHTTP, URL: "http://192.0.2.10/"})
	for _, r := range rs {
		if !strings.Contains(r.Detail, "200 OK: rbm-standin 192.0.2.10") {
			t.Errorf("%s: detail %q", r.Spec.URL, r.Detail)
		}
	}
	// A name the resolver does not know is not in the certificate.
	probeAll(t, probe.Error,
		probe.Spec{Kind: probe.KindHTTPS, URL: "https://other.test/", CAFile: ca, Resolve: "other.test:443:192.0.2.10"})
}

func checkStats(t *testing.T, srv *Server, sock string) {
	t.Helper()
	got, err := FetchStats(context.Background(), sock)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, srv.Stats()) {
		t.Errorf("stats over the socket %+v\ndiffer from Server.Stats %+v", got, srv.Stats())
	}
	want := Stats{
		Resolver: map[string]int64{"web.test": 3, "api.test": 1, "nowhere.test": 1, "a.wild.test": 1, "b.c.wild.test": 1, "wild.test": 1},
		Foreign: ForeignStats{Total: 5, ByTransport: map[string]int64{
			"udp/53": 1, "tcp/53": 1, "udp/5353": 1, "tcp/5353": 1, "tcp/853": 1}},
		Web:         map[string]WebCount{"192.0.2.10": {HTTP: 1, HTTPS: 3}},
		Echo:        map[string]int64{"udp 198.51.100.7:443": 1, "tcp 198.51.100.7:443": 1},
		EchoSources: map[string]int64{"198.51.100.7": 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stats\n got %+v\nwant %+v", got, want)
	}
}

// checkStops ends the stand-in and checks that it let go of everything.
func checkStops(t *testing.T, cancel func(), srv *Server, cfg Config) {
	t.Helper()
	cancel()
	done := make(chan struct{})
	go func() { srv.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("stand-in still running 5s after its context ended")
	}
	if _, err := os.Stat(cfg.StatsSocket); err == nil {
		t.Error("stats socket file left behind")
	}
	ctx, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	if _, err := Serve(ctx, cfg); err != nil {
		t.Errorf("serve again on the same addresses: %v", err)
	}
}

func TestServeUnavailableAddress(t *testing.T) {
	if !nstest.Enter(t, onLoopback) {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := testConfig(t)
	cfg.Echo = append(cfg.Echo, "192.0.2.99:7") // on no interface
	start := time.Now()
	_, err := Serve(ctx, cfg)
	if err == nil || !strings.Contains(err.Error(), "192.0.2.99") {
		t.Fatalf("serve with an absent address: %v, want an error naming it", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("failing took %s", took)
	}
	// What was bound before the failure was released.
	cfg.Echo = cfg.Echo[:1]
	if _, err := Serve(ctx, cfg); err != nil {
		t.Errorf("serve after a failed start: %v", err)
	}
}
