package docker_test

import (
	"context"
	"encoding/json"
	"net"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/docker"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/standin"
)

var rt = docker.Runtime{}

func resolve(t *testing.T, kv ...string) *config.Config {
	t.Helper()
	c, _, err := config.Load(nil, kv)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// e2eConfig is the end-to-end service's configuration, with extra settings
// (NAME=VALUE) after it.
func e2eConfig(t *testing.T, extra ...string) *config.Config {
	return resolve(t, append([]string{"RBRR_RUNTIME=docker", "RBRN_MONIKER=" + moniker, "RBRR_POD_SUBNET=" + enclave,
		"RBRR_SENTRY_IP=" + sentryIP, "RBRR_BOTTLE_IP=" + bottleIP,
		"RBRR_UPLINK_NETWORK=" + upNet, "RBRR_DNS_SERVER=" + resolverIP,
		"RBRR_SENTRY_IMAGE=" + sentryImage, "RBRN_BOTTLE_IMAGE=" + bottleImage,
		"RBRN_ENTRY_ENABLED=true", "RBRN_ENTRY_PORT_WORKSTATION=" + entryPort, "RBRN_ENTRY_PORT_ENCLAVE=8000",
		"RBRN_UPLINK_ACCESS_ENABLED=true", "RBRN_UPLINK_ALLOWED_CIDRS=" + allowedIP + "/32",
		"RBRN_UPLINK_DNS_ENABLED=true", "RBRN_UPLINK_ALLOWED_DOMAINS=allowed.test " + baitDomain,
		"RBRN_DNS_REBIND_OK_DOMAINS=allowed.test", "RBRR_HOST_ADDRESSES=" + hostAddr}, extra...)...)
}

// service is a started bottle service under test.
type service struct {
	host
	cfg   *config.Config
	names engine.Names
}

// startService runs the real preflight and Start, and registers Stop.
func startService(h host, cfg *config.Config) *service {
	h.t.Helper()
	s := &service{host: h, cfg: cfg, names: engine.NamesFor(cfg.Moniker)}
	engine.Stop(h.ctx, rt, runner.Exec{}, cfg.Moniker, nil) // leftovers of an earlier run
	h.t.Cleanup(func() { engine.Stop(context.Background(), rt, runner.Exec{}, cfg.Moniker, nil) })
	rep := engine.Preflight{Runtime: rt, Runner: runner.Exec{}}.Check(h.ctx, cfg)
	if err := rep.Err(); err != nil {
		h.t.Fatalf("preflight: %v (info: %v)", err, rep.Info)
	}
	var log strings.Builder
	if err := engine.Start(h.ctx, rt, runner.Exec{}, cfg, engine.Options{Out: &log, HealthTimeout: 90 * time.Second}); err != nil {
		h.t.Fatalf("start: %v\n%s", err, log.String())
	}
	return s
}

func (s *service) probe(specs ...probe.Spec) []probe.Result {
	s.t.Helper()
	in, _ := json.Marshal(specs)
	ctx, cancel := context.WithTimeout(s.ctx, time.Minute)
	defer cancel()
	out, err := (runner.Exec{}).Run(ctx, runner.Cmd{Name: "docker", Args: []string{"exec", "-i", s.names.Bottle, "rbm", "probe", "batch"}, Stdin: string(in)})
	if err != nil {
		s.t.Fatalf("probe batch in the bottle: %v", err)
	}
	var res []probe.Result
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(specs) {
		s.t.Fatalf("probe batch output %q: %v", out, err)
	}
	return res
}

func (s *service) counters() firewall.Snapshot {
	s.t.Helper()
	var snap firewall.Snapshot
	if err := json.Unmarshal([]byte(s.docker("exec", s.names.Sentry, "rbm", "counters", "--json")), &snap); err != nil {
		s.t.Fatal(err)
	}
	return snap
}

func tcp(target string) probe.Spec {
	return probe.Spec{Kind: probe.KindTCP, Target: target, Timeout: probe.Duration(2 * time.Second)}
}

func dns(server, name string) probe.Spec {
	return probe.Spec{Kind: probe.KindDNS, Server: server, Name: name, Timeout: probe.Duration(3 * time.Second)}
}

// checkEgress proves from inside the bottle what goes out and what not,
// and that the allowed connection crossed the sentry's allow rule.
func checkEgress(s *service, foreignStats string) {
	t := s.t
	t.Helper()
	before, fBefore := s.counters(), fetch(s, foreignStats)
	r := s.probe(
		tcp(allowedIP+":80"),                              // 0 allowed
		tcp(otherIP+":80"),                                // 1 not allowed
		dns(sentryIP, "allowed.test"),                     // 2 the sentry's resolver
		dns(foreignIP, "allowed.test"),                    // 3 another resolver: answered by the sentry
		dns(sentryIP, "other.test"),                       // 4 not an allowed name
		tcp(engine.BridgeIP(s.cfg.Subnet).String()+":22"), // 5 the enclave's gateway address
	)
	for i, res := range r {
		t.Logf("probe %d %s %s%s: %s %s %v %s", i, res.Spec.Kind, res.Spec.Target, res.Spec.Name, res.Outcome, res.Rcode, res.Answers, res.Detail)
	}
	switch {
	case r[0].Outcome != probe.Connected:
		t.Errorf("allowed %s: %s, want connected", allowedIP, r[0].Outcome)
	case r[1].Outcome.OK():
		t.Errorf("forbidden %s: %s, want no connection", otherIP, r[1].Outcome)
	case r[2].Rcode != "NOERROR" || strings.Join(r[2].Answers, ",") != allowedIP:
		t.Errorf("allowed.test via the sentry: %s %v, want NOERROR %s", r[2].Rcode, r[2].Answers, allowedIP)
	case r[3].Rcode != "NOERROR" || strings.Join(r[3].Answers, ",") != allowedIP:
		t.Errorf("allowed.test sent to %s: %s %v, want the sentry's answer %s (the foreign one answers %s)", foreignIP, r[3].Rcode, r[3].Answers, allowedIP, standin.DefaultForeignAnswer)
	case r[4].Rcode != "NXDOMAIN":
		t.Errorf("other.test: %s %v, want NXDOMAIN", r[4].Rcode, r[4].Answers)
	case r[5].Outcome.OK():
		t.Errorf("the enclave's gateway address reached: %s", r[5].Detail)
	}
	d := s.counters().Delta(before)
	t.Logf("counters that moved: %v", d.Moved())
	for _, id := range []string{firewall.IDPrefix + firewall.AllowID(netip.MustParsePrefix(allowedIP+"/32")), "rbm:nat-dns-udp", "rbm:nat-masq"} {
		if d.Rules[id].Packets == 0 {
			t.Errorf("counter %s did not move", id)
		}
	}
	if n := fetch(s, foreignStats) - fBefore; n != 0 {
		t.Errorf("the foreign resolver received %d queries", n)
	}
}

func fetch(s *service, sock string) int64 {
	st, err := standin.FetchStats(s.ctx, sock)
	if err != nil {
		s.t.Fatal(err)
	}
	return st.Foreign.Total
}

// TestDockerEndToEnd builds a real bottle service with Docker on a stand-in
// internet and proves from inside the bottle that everything goes through
// the sentry, across restarts, through the entry port, and that stop
// leaves nothing behind.
func TestDockerEndToEnd(t *testing.T) {
	needDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	h := host{t: t, ctx: ctx}
	dir := standInInternet(h)
	foreign := filepath.Join(dir, "foreign-stats.sock")
	t0 := time.Now()
	s := startService(h, e2eConfig(t))
	t.Logf("timing: start took %s", time.Since(t0).Round(time.Millisecond))

	t.Run("egress", func(t *testing.T) { s.t = t; checkEgress(s, foreign) })
	t.Run("bottle", func(t *testing.T) { s.t = t; checkBottle(s) })
	t.Run("status", func(t *testing.T) { s.t = t; checkStatus(s) })
	t.Run("entry port", func(t *testing.T) { s.t = t; checkEntry(s) })
	t.Run("restarts", func(t *testing.T) { s.t = t; checkRestarts(s, foreign) })
	t.Run("verify", func(t *testing.T) { s.t = t; checkVerify(s, dir) })
	t.Run("cli", func(t *testing.T) { s.t = t; checkCLI(s, dir) })
	t.Run("stop", func(t *testing.T) { s.t = t; checkStop(s) })
}

// checkBottle: no capabilities, no way to change its routes, no IPv6.
func checkBottle(s *service) {
	if out, err := s.try("docker", "exec", s.names.Bottle, "ip", "route", "replace", "default", "via", "198.51.100.9"); err == nil {
		s.t.Errorf("the bottle changed its default route: %s", out)
	}
	if v := s.docker("exec", s.names.Bottle, "cat", "/proc/sys/net/ipv6/conf/all/disable_ipv6"); v != "1" {
		s.t.Errorf("disable_ipv6 = %q in the bottle, want 1", v)
	}
	status := s.docker("exec", s.names.Bottle, "cat", "/proc/self/status")
	if !strings.Contains(status, "CapEff:\t0000000000000000") {
		s.t.Errorf("the bottle's process holds capabilities:\n%s", status)
	}
}

func checkStatus(s *service) {
	// Docker's first scheduled health check comes one interval after start.
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if s.docker("inspect", "--format", "{{.State.Health.Status}}", s.names.Sentry) == "healthy" {
			break
		}
	}
	st, err := engine.Inspect(s.ctx, rt, runner.Exec{}, moniker)
	if err != nil {
		s.t.Fatal(err)
	}
	var out strings.Builder
	st.Write(&out)
	s.t.Logf("rbm status:\n%s", out.String())
	if st.Routes != nil {
		s.t.Errorf("routes: %v", st.Routes)
	}
	for _, want := range []string{"bottle service rbmd (Docker)", "running (healthy)", "routes: ok", "rbmd-enclave=" + bottleIP, "upstream: upstream resolver " + resolverIP + " answers ("} {
		if !strings.Contains(out.String(), want) {
			s.t.Errorf("status lacks %q", want)
		}
	}
}

// checkEntry: the workstation's port reaches the bottle's service through
// the sentry.
func checkEntry(s *service) {
	s.docker("cp", writeTemp(s.t, `{"echo":["198.51.100.3:8000"]}`), s.names.Bottle+":/tmp/entry.json")
	s.docker("exec", "-d", s.names.Bottle, "timeout", "120", "rbm", "standin", "--config", "/tmp/entry.json")
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+entryPort, 2*time.Second)
		if err == nil {
			c.SetDeadline(time.Now().Add(3 * time.Second))
			c.Write([]byte("hello entry\n"))
			buf := make([]byte, 64)
			n, _ := c.Read(buf)
			c.Close()
			if strings.Contains(string(buf[:n]), "hello entry") {
				return
			}
			err = nil
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the entry port 127.0.0.1:%s did not echo through the sentry: %v", entryPort, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
