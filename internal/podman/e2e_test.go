package podman_test

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/podman"
	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/runner"
)

const (
	moniker   = "rbmt"
	entryPort = "18480"
)

func e2eConfig(t *testing.T) []string {
	return []string{
		"RBRN_MONIKER=" + moniker, "RBRR_POD_SUBNET=198.51.100.0/24",
		"RBRR_SENTRY_IP=198.51.100.2", "RBRR_BOTTLE_IP=198.51.100.3",
		"RBRR_UPLINK_NETWORK=" + upNet, "RBRR_DNS_SERVER=" + resolverIP,
		"RBRR_SENTRY_IMAGE=" + sentryImage, "RBRN_BOTTLE_IMAGE=" + bottleImage,
		"RBRN_ENTRY_ENABLED=true", "RBRN_ENTRY_PORT_WORKSTATION=" + entryPort, "RBRN_ENTRY_PORT_ENCLAVE=8000",
		"RBRN_UPLINK_ACCESS_ENABLED=true", "RBRN_UPLINK_ALLOWED_CIDRS=" + allowedIP + "/32",
		"RBRN_UPLINK_DNS_ENABLED=true", "RBRN_UPLINK_ALLOWED_DOMAINS=allowed.test",
		// The stand-in's answers are documentation addresses, which
		// rebinding protection would otherwise strip.
		"RBRN_DNS_REBIND_OK_DOMAINS=allowed.test",
	}
}

// TestPodmanEndToEnd builds a real bottle service on a stand-in internet and
// proves, from inside the bottle, that everything goes through the sentry.
func TestPodmanEndToEnd(t *testing.T) {
	needPodman(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	h := host{t: t, ctx: ctx}
	standInInternet(h)
	waitStandins(h)

	bin := buildCLI(ctx, t)
	began := time.Now()
	s := startService(h, resolve(t, e2eConfig(t)...))
	t.Logf("timing: start took %s", time.Since(began).Round(time.Millisecond))

	phases := []struct {
		name string
		run  func(*service)
	}{
		{"egress and counters", checkEgress},
		{"bottle cannot change its routes", checkRoutesLocked},
		{"entry port", checkEntry},
		{"status", checkStatus},
		{"reload in place", func(s *service) { checkReload(s, bin) }},
		{"shell, capture, status list", func(s *service) { checkShellCapture(s, bin) }},
		{"bottle restart", func(s *service) { s.podman("restart", "-t", "0", s.names.Bottle) }},
		{"pod restart", func(s *service) { s.podman("pod", "restart", s.names.Pod) }},
		{"pod stop and start", func(s *service) {
			s.podman("pod", "stop", "-t", "1", s.names.Pod)
			s.podman("pod", "start", s.names.Pod)
		}},
		{"sentry down and back", func(s *service) { checkSentryOutage(s, "stop", "-t", "2") }},
		{"sentry killed (SIGKILL) and back", func(s *service) { checkSentryOutage(s, "kill", "-s", "KILL") }},
	}
	for _, p := range phases {
		t0 := time.Now()
		p.run(s)
		if t.Failed() {
			t.FailNow()
		}
		s.routesOK(p.name)
		s.egressWorks(p.name)
		t.Logf("timing: %s took %s", p.name, time.Since(t0).Round(time.Millisecond))
	}
	t0 := time.Now()
	s.stop()
	t.Logf("timing: stop took %s", time.Since(t0).Round(time.Millisecond))
	assertNothingLabelled(h, moniker)
}

func waitStandins(h host) {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, sv := range standins {
		for !strings.Contains(h.podman("logs", sv.name), "ready") {
			if time.Now().After(deadline) {
				h.t.Fatalf("stand-in %s not ready: %s", sv.name, h.podman("logs", sv.name))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

func dns(server, name string) probe.Spec {
	return probe.Spec{Kind: probe.KindDNS, Server: server, Name: name, Timeout: probe.Duration(3 * time.Second)}
}

func checkEgress(s *service) {
	t := s.t
	before := s.counters()
	r := s.probe(
		tcp(allowedIP+":80"),                // 0 allowed CIDR
		tcp(otherIP+":80"),                  // 1 not allowed
		dns("198.51.100.2", "allowed.test"), // 2 the sentry's resolver
		dns(resolverIP, "other.test"),       // 3 direct to a resolver: intercepted
		tcp("198.51.100.1:22"),              // 4 the host's bridge address
	)
	d := s.counters().Delta(before)
	for i, res := range r {
		t.Logf("probe %d %s %s%s: %s %s %v %s", i, res.Spec.Kind, res.Spec.Target, res.Spec.Name, res.Outcome, res.Rcode, res.Answers, res.Detail)
	}
	t.Logf("counters that moved: %v", d.Moved())
	switch {
	case r[0].Outcome != probe.Connected:
		t.Errorf("allowed %s: %s, want connected", allowedIP, r[0].Outcome)
	case r[1].Outcome.OK():
		t.Errorf("forbidden %s: %s, want no connection", otherIP, r[1].Outcome)
	case r[2].Rcode != "NOERROR" || !slices.Contains(r[2].Answers, allowedIP):
		t.Errorf("allowed.test via the sentry: %s %v, want NOERROR %s", r[2].Rcode, r[2].Answers, allowedIP)
	case r[3].Rcode != "NXDOMAIN":
		t.Errorf("other.test sent to %s: %s %v, want NXDOMAIN from the sentry (the stand-in would answer)", resolverIP, r[3].Rcode, r[3].Answers)
	case r[4].Outcome.OK():
		t.Errorf("bridge address reached: %s", r[4].Detail)
	}
	// The forbidden stand-in is on the sentry's own uplink subnet, which the
	// learned-address guard drops (before fwd-drop would).
	for _, id := range []string{"rbm:fwd-allow-" + allowedIP + "/32", "rbm:fwd-learn-guard", "rbm:nat-dns-udp", "rbm:nat-masq"} {
		if d.Rules[id].Packets == 0 {
			t.Errorf("counter %s did not move", id)
		}
	}
}

func checkRoutesLocked(s *service) {
	out, err := s.try("podman", "exec", s.names.Bottle, "ip", "route", "replace", "default", "via", "198.51.100.9")
	if err == nil {
		s.t.Fatalf("the bottle changed its default route: %s", out)
	}
	if !strings.Contains(err.Error(), "Operation not permitted") {
		s.t.Errorf("ip route replace in the bottle failed, but not for lack of permission: %v", err)
	}
}

// checkEntry runs an echo server in the bottle (as the bottle's user) and
// reaches it from the host through the sentry's uplink address. The uplink
// is --internal, where Podman publishes no port, so the host dials the
// sentry directly: the path through the sentry's rules is the same.
func checkEntry(s *service) {
	t := s.t
	s.podman("cp", writeTemp(t, "entry.json", `{"echo":["198.51.100.3:8000"]}`), s.names.Bottle+":/tmp/entry.json")
	s.podman("exec", "-d", s.names.Bottle, "rbm", "standin", "--config", "/tmp/entry.json")
	addr := net.JoinHostPort(s.podman("inspect", "--format", `{{(index .NetworkSettings.Networks "`+upNet+`").IPAddress}}`, s.names.Sentry), entryPort)
	before := s.counters()
	if rootless {
		connectInRootlessNetns(s, addr)
	}
	deadline := time.Now().Add(15 * time.Second)
	for !rootless {
		got, err := echo(addr, "through the entry port\n")
		if err == nil && got == "through the entry port\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("entry port %s: %q, %v", addr, got, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if d := s.counters().Delta(before); d.Rules["rbm:nat-entry"].Packets == 0 || d.Rules["rbm:fwd-entry"].Packets == 0 {
		t.Errorf("entry counters did not move: %v", d.Moved())
	}
}

func echo(addr, msg string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := c.Write([]byte(msg)); err != nil {
		return "", err
	}
	buf := make([]byte, len(msg))
	n, err := c.Read(buf)
	return string(buf[:n]), err
}

func checkStatus(s *service) {
	st, err := engine.Inspect(s.ctx, podman.Runtime{}, runner.Exec{}, moniker)
	if err != nil {
		s.t.Fatal(err)
	}
	var b strings.Builder
	st.Write(&b)
	s.t.Logf("rbm status:\n%s", b.String())
	for _, want := range []string{"running (healthy)", "routes: ok", "rbm:fwd-allow-" + allowedIP + "/32=", "rbmt-enclave=198.51.100.3", "upstream: upstream resolver " + resolverIP + " answers ("} {
		if !strings.Contains(b.String(), want) {
			s.t.Errorf("status lacks %q", want)
		}
	}
}

// checkSentryOutage: with the sentry stopped (podman stop) or killed with
// SIGKILL (podman kill, no chance to clean up) the bottle has no way out;
// once it is back, egress works again.
func checkSentryOutage(s *service, how ...string) {
	s.podman(append(how, s.names.Sentry)...)
	r := s.probe(tcp(allowedIP+":80"), dns("198.51.100.2", "allowed.test"), tcp(otherIP+":80"))
	for _, res := range r {
		if res.Outcome.OK() {
			s.t.Errorf("sentry stopped, yet %s %s%s got through: %s", res.Spec.Kind, res.Spec.Target, res.Spec.Name, res.Detail)
		}
	}
	s.t.Logf("sentry stopped: %s, %s, %s", r[0].Outcome, r[1].Outcome, r[2].Outcome)
	s.podman("start", s.names.Sentry)
	s.waitHealthy()
	if r := s.probe(tcp(allowedIP + ":80")); !r[0].Outcome.OK() {
		s.t.Errorf("sentry back after %v, yet %s is not reachable: %s %s", how, allowedIP, r[0].Outcome, r[0].Detail)
	}
}
