package podman_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/podman"
	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// service is a bottle service started by the test, with helpers to look
// at it from the bottle, the sentry and the host.
type service struct {
	host
	cfg   *config.Config
	names engine.Names
}

func resolve(t *testing.T, kv ...string) *config.Config {
	t.Helper()
	layer := map[string]config.Setting{}
	for _, s := range kv {
		k, v, _ := strings.Cut(s, "=")
		layer[k] = config.Setting{Value: v, Origin: "test"}
	}
	cfg, _, err := config.Resolve(layer)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// startService runs the real preflight and Start, and registers Stop.
func startService(h host, cfg *config.Config) *service {
	h.t.Helper()
	s := &service{host: h, cfg: cfg, names: engine.NamesFor(cfg.Moniker)}
	h.t.Cleanup(func() { s.stop() })
	site := engine.NewSite(podman.Runtime{}, runner.Exec{})
	rep := engine.Preflight{Runtime: podman.Runtime{}, Runner: runner.Exec{}, Site: site}.Check(h.ctx, cfg)
	if err := rep.Err(); err != nil {
		h.t.Fatal(err)
	}
	// As rbm start does: rootless Podman plans the pod's user namespace.
	err := engine.Start(h.ctx, site.Runtime(h.ctx), runner.Exec{}, cfg, engine.Options{Out: testWriter{h.t}, HealthTimeout: 90 * time.Second})
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

func (s *service) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := engine.Stop(ctx, podman.Runtime{}, runner.Exec{}, s.cfg.Moniker, testWriter{s.t}); err != nil {
		s.t.Errorf("cleanup: %v", err)
	}
}

// probe runs `rbm probe batch` inside the running bottle: its namespace,
// its user, no capabilities.
func (s *service) probe(specs ...probe.Spec) []probe.Result {
	s.t.Helper()
	in, _ := json.Marshal(specs)
	ctx, cancel := context.WithTimeout(s.ctx, time.Minute)
	defer cancel()
	out, err := (runner.Exec{}).Run(ctx, runner.Cmd{Name: "podman",
		Args: []string{"exec", "-i", s.names.Bottle, "rbm", "probe", "batch"}, Stdin: string(in)})
	if err != nil {
		s.t.Fatalf("probe batch in the bottle: %v", err)
	}
	var res []probe.Result
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(specs) {
		s.t.Fatalf("probe batch output %q: %v", out, err)
	}
	return res
}

// counters reads the sentry's per-rule counters.
func (s *service) counters() firewall.Snapshot {
	s.t.Helper()
	var snap firewall.Snapshot
	if err := json.Unmarshal([]byte(s.podman("exec", s.names.Sentry, "rbm", "counters", "--json")), &snap); err != nil {
		s.t.Fatalf("parse rbm counters --json: %v", err)
	}
	return snap
}

func tcp(target string) probe.Spec {
	return probe.Spec{Kind: probe.KindTCP, Target: target, Timeout: probe.Duration(2 * time.Second)}
}

// egressWorks waits (bounded) until the allowed server answers and checks
// that the other one still does not.
func (s *service) egressWorks(why string) {
	s.t.Helper()
	start := time.Now()
	for attempt := 1; ; attempt++ {
		r := s.probe(tcp(allowedIP+":80"), tcp(otherIP+":80"))
		if r[1].Outcome.OK() {
			s.t.Fatalf("%s: forbidden %s reached: %s", why, otherIP, r[1].Detail)
		}
		if r[0].Outcome.OK() {
			s.t.Logf("%s: allowed reached, forbidden not (attempt %d)", why, attempt)
			return
		}
		if time.Since(start) > 20*time.Second {
			s.t.Fatalf("%s: allowed %s not reachable: %s %s", why, allowedIP, r[0].Outcome, r[0].Detail)
		}
		time.Sleep(time.Second)
	}
}

// routesOK asks the guard to verify the bottle's routes.
func (s *service) routesOK(why string) {
	s.t.Helper()
	r := engine.Routes(s.cfg)
	if out, err := s.try("podman", "exec", s.names.NetGuard, "rbm", "netinit",
		"--via", r.Via.String(), "--block", r.Block.String(), "--check"); err != nil {
		s.t.Fatalf("%s: routes wrong: %v %s", why, err, out)
	}
}

// waitHealthy polls the sentry's health check (bounded).
func (s *service) waitHealthy() {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := s.try("podman", "healthcheck", "run", s.names.Sentry); err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatal("sentry not healthy again within 60s")
		}
		time.Sleep(500 * time.Millisecond)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
