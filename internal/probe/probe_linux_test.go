package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// short keeps probes that are expected to time out quick.
const short = Duration(300 * time.Millisecond)

func run(t *testing.T, s Spec) Result {
	t.Helper()
	r := Run(context.Background(), s)
	t.Logf("%s %s%s%s: %s %s %v (%s)", s.Kind, s.Target, s.Server, s.URL, r.Outcome, r.Rcode, r.Answers, r.Detail)
	return r
}

func want(t *testing.T, r Result, o Outcome) {
	t.Helper()
	if r.Outcome != o {
		t.Errorf("%s %s: outcome %q (%s), want %q", r.Spec.Kind, r.Spec.Target, r.Outcome, r.Detail, o)
	}
}

func TestTCP(t *testing.T) {
	want(t, run(t, Spec{Kind: KindTCP, Target: tcpListener(t)}), Connected)
	want(t, run(t, Spec{Kind: KindTCP, Target: closedPort(t, "tcp")}), Refused)
}

func TestUDP(t *testing.T) {
	echo, _ := udpServer(t, true)
	silent, _ := udpServer(t, false)
	want(t, run(t, Spec{Kind: KindUDP, Target: echo, Payload: 100}), Answered)
	want(t, run(t, Spec{Kind: KindUDP, Target: closedPort(t, "udp")}), Refused)
	r := run(t, Spec{Kind: KindUDP, Target: silent, Timeout: short})
	want(t, r, Timeout)
	if time.Duration(r.Elapsed) > time.Second {
		t.Errorf("timeout probe took %s, want about %s", r.Elapsed, short)
	}
}

func TestDNS(t *testing.T) {
	server, log := dnsServer(t)
	cases := []struct {
		spec    Spec
		rcode   string
		answers []string
		net     string
	}{
		{Spec{Name: "web.test"}, "NOERROR", []string{"192.0.2.10"}, "udp"},
		{Spec{Name: "web.test", TCP: true}, "NOERROR", []string{"192.0.2.10"}, "tcp"},
		{Spec{Name: "nowhere.test", QType: "aaaa"}, "NXDOMAIN", nil, "udp"},
		{Spec{Name: "web.test", QType: "AXFR"}, "REFUSED", nil, "tcp"}, // transfers go over TCP by themselves
		{Spec{Name: "version.bind", QType: "TXT", QClass: "CHAOS"}, "NOERROR", []string{`version.bind. 0 CH TXT "rbm-test"`}, "udp"},
	}
	for _, c := range cases {
		c.spec.Kind, c.spec.Server = KindDNS, server
		r := run(t, c.spec)
		want(t, r, Answered)
		if r.Rcode != c.rcode || !slices.Equal(r.Answers, c.answers) {
			t.Errorf("%+v: got %s %q, want %s %q", c.spec, r.Rcode, r.Answers, c.rcode, c.answers)
		}
		if got := log.last(); got != c.net {
			t.Errorf("%+v: query went over %s, want %s", c.spec, got, c.net)
		}
	}
}

func TestDNSFailures(t *testing.T) {
	silent, _ := udpServer(t, false)
	want(t, run(t, Spec{Kind: KindDNS, Server: closedPort(t, "udp"), Name: "web.test"}), Refused)
	want(t, run(t, Spec{Kind: KindDNS, Server: closedPort(t, "tcp"), Name: "web.test", TCP: true}), Refused)
	want(t, run(t, Spec{Kind: KindDNS, Server: silent, Name: "web.test", Timeout: short}), Timeout)
	want(t, run(t, Spec{Kind: KindDNS, Server: silent, Name: "web.test", QType: "NOPE"}), Error)
	want(t, run(t, Spec{Kind: KindDNS, Server: silent}), Error)
}

func TestHTTPS(t *testing.T) {
	port, ca := tlsServer(t)
	url := "https://web.test:" + port + "/"
	pin := "web.test:" + port + ":127.0.0.1"

	r := run(t, Spec{Kind: KindHTTPS, URL: url, CAFile: ca, Resolve: pin})
	want(t, r, Connected)
	if !strings.Contains(r.Detail, "200") || !strings.Contains(r.Detail, "hello web.test:"+port) {
		t.Errorf("detail %q: want the status and the body's first line", r.Detail)
	}
	// Without the CA, or reached under a name the certificate lacks, TLS fails.
	want(t, run(t, Spec{Kind: KindHTTPS, URL: url, Resolve: pin}), Error)
	want(t, run(t, Spec{Kind: KindHTTPS, URL: "https://127.0.0.1:" + port + "/", CAFile: ca}), Error)
	want(t, run(t, Spec{Kind: KindHTTPS, URL: url, CAFile: ca, Resolve: "web.test:" + port}), Error)
	// Split into 16-byte segments, the request still gets its answer.
	want(t, run(t, Spec{Kind: KindHTTPS, URL: url, CAFile: ca, Resolve: pin, Segment: 16}), Connected)
	// Insecure: the same unverifiable requests get through.
	want(t, run(t, Spec{Kind: KindHTTPS, URL: url, Resolve: pin, Insecure: true}), Connected)
	want(t, run(t, Spec{Kind: KindHTTPS, URL: "https://127.0.0.1:" + port + "/", Insecure: true}), Connected)
}

func TestHTTP(t *testing.T) {
	srv := httptest.NewServer(http.RedirectHandler("http://elsewhere.test/", http.StatusFound))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	r := run(t, Spec{Kind: KindHTTP, URL: "http://web.test:" + port + "/", Resolve: "web.test:" + port + ":127.0.0.1"})
	want(t, r, Connected)
	if !strings.Contains(r.Detail, "302") {
		t.Errorf("detail %q: want the redirect itself, not followed", r.Detail)
	}
	want(t, run(t, Spec{Kind: KindHTTP, Target: closedPort(t, "tcp")}), Refused)
}

func TestRunBatch(t *testing.T) {
	silent, _ := udpServer(t, false)
	open := tcpListener(t)
	specs := []Spec{
		{Kind: KindUDP, Target: silent, Timeout: short},
		{Kind: KindTCP, Target: open},
		{Kind: KindUDP, Target: silent, Timeout: short},
		{Kind: "teleport"},
		{Kind: KindUDP, Target: silent, Timeout: short},
	}
	start := time.Now()
	rs := RunBatch(context.Background(), specs, 3)
	if took := time.Since(start); took > 2*time.Duration(short) {
		t.Errorf("three timeouts in parallel took %s, want about %s", took, short)
	}
	wantOut := []Outcome{Timeout, Connected, Timeout, Error, Timeout}
	for i, r := range rs {
		if r.Spec.Kind != specs[i].Kind || r.Outcome != wantOut[i] {
			t.Errorf("result %d: %s %s, want %s %s", i, r.Spec.Kind, r.Outcome, specs[i].Kind, wantOut[i])
		}
	}
}

func TestSpecJSON(t *testing.T) {
	in := `[{"kind":"dns","server":"192.0.2.53","name":"web.test","qtype":"AXFR","timeout":"1.5s"}]`
	var specs []Spec
	if err := json.Unmarshal([]byte(in), &specs); err != nil {
		t.Fatal(err)
	}
	if got := time.Duration(specs[0].Timeout); got != 1500*time.Millisecond {
		t.Errorf("timeout %s, want 1.5s", got)
	}
	out, _ := json.Marshal(specs)
	if string(out) != in {
		t.Errorf("round trip:\n got %s\nwant %s", out, in)
	}
	if err := json.Unmarshal([]byte(`{"timeout":1500}`), &specs[0]); err == nil {
		t.Error("a bare number of nanoseconds was accepted as a timeout")
	}
}

func TestResultJSON(t *testing.T) {
	r := Result{Spec: Spec{Kind: KindTCP, Target: "192.0.2.1:80"}, Outcome: Refused, Elapsed: Duration(time.Millisecond)}
	out, _ := json.Marshal(r)
	want := `{"spec":{"kind":"tcp","target":"192.0.2.1:80"},"outcome":"refused","elapsed":"1ms"}`
	if string(out) != want {
		t.Errorf("got %s\nwant %s", out, want)
	}
}

func TestRunHonoursCallerContext(t *testing.T) {
	silent, _ := udpServer(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	r := Run(ctx, Spec{Kind: KindUDP, Target: silent, Timeout: Duration(10 * time.Second)})
	if r.Outcome != Timeout || time.Since(start) > time.Second {
		t.Errorf("got %s after %s, want timeout after about 100ms", r.Outcome, time.Since(start))
	}
}

func ExampleRun() {
	r := Run(context.Background(), Spec{Kind: "teleport"})
	fmt.Println(r.Outcome, r.Detail)
	// Output: error unknown probe kind "teleport"
}
