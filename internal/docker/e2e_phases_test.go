package docker_test

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/engine/serviceverify"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/standin"
	"github.com/recipe-bottle/rbm/internal/verify"
)

func writeTemp(t *testing.T, content string) string {
	p := filepath.Join(t.TempDir(), "f.json")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkRestarts: a restarted bottle keeps the holder's namespace; a
// restarted holder makes a new one and sets its routes again, which the
// bottle joins when restarted in turn. Egress is right after each.
func checkRestarts(s *service, foreign string) {
	s.docker("restart", "-t", "1", s.names.Bottle)
	checkEgress(s, foreign)
	s.docker("restart", "-t", "1", s.names.NetGuard)
	s.docker("restart", "-t", "1", s.names.Bottle)
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := s.try("docker", append([]string{"exec", s.names.NetGuard, "rbm"}, append(engine.RouteArgs(s.cfg), "--check")...)...)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("routes after the holder's restart: %v", err)
		}
		time.Sleep(300 * time.Millisecond)
	}
	checkEgress(s, foreign)
}

// checkVerify runs the whole battery, plain and hostile, through the
// runtime-neutral service backend.
func checkVerify(s *service, dir string) {
	cfg, err := serviceverify.Config(s.ctx, rt, runner.Exec{}, s.names)
	if err != nil {
		s.t.Fatal(err)
	}
	uplink, err := serviceverify.SentryUplink(s.ctx, rt, runner.Exec{}, cfg)
	if err != nil {
		s.t.Fatal(err)
	}
	p := cfg.Policy()
	// The learned server beyond the uplink subnet, through its uplink address.
	s.docker("exec", s.names.Sentry, "ip", "route", "replace", farSubnet, "via", learnedNear)
	for _, hostile := range []bool{false, true} {
		t := s.t
		t.Run(map[bool]string{false: "plain", true: "hostile"}[hostile], func(t *testing.T) {
			target := verify.Target{Policy: p, Hostile: hostile,
				Foreign: mustAddr(foreignIP), Allowed: mustAddr(allowedIP), Forbidden: mustAddr(otherIP),
				EchoPort: 7, AllowedName: "allowed.test", ForbiddenName: "other.test", BaitDomain: baitDomain,
				Learned: mustAddr(learnedIP), LearnName: "learn.allowed.test",
				HostAddr: mustAddr(hostAddr), HostName: hostName,
				CAFile: serviceverify.ProbeCAPath, BridgeIP: engine.BridgeIP(p.Subnet), SentryUplink: uplink.Addr(), UplinkPrefix: uplink.Masked()}
			b, err := serviceverify.Start(s.ctx, rt, runner.Exec{}, cfg, serviceverify.ProbeOptions{Hostile: hostile, CAFile: filepath.Join(dir, "ca.pem")})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close(context.Background())
			caps := s.docker("exec", b.Container(), "grep", "CapEff", "/proc/self/status")
			if want := map[bool]string{false: "0000000000000000", true: "0000000000003000"}[hostile]; !strings.HasSuffix(caps, want) {
				t.Fatalf("probe process %s, want CapEff %s", caps, want)
			}
			if target.PingDenied, err = b.PingDenied(s.ctx); err != nil {
				t.Fatal(err)
			}
			results, err := verify.Run(s.ctx, counted{b, filepath.Join(dir, "foreign-stats.sock"), filepath.Join(dir, "resolver-stats.sock")}, verify.Cases(target), nil)
			if err != nil {
				t.Fatal(err)
			}
			var report strings.Builder
			verify.Print(&report, results)
			t.Logf("rbm verify under Docker (hostile=%v):\n%s", hostile, report.String())
			if !verify.AllHold(results) {
				t.Errorf("containment does not hold: %s", verify.Summary(results))
			}
		})
	}
}

// checkStop: stop removes every container, network and the host rule.
func checkStop(s *service) {
	var out strings.Builder
	if err := engine.Stop(s.ctx, rt, runner.Exec{}, moniker, &out); err != nil {
		s.t.Fatal(err)
	}
	s.t.Logf("rbm stop:\n%s", out.String())
	if left := s.docker("ps", "-a", "--filter", "label=rbm.moniker="+moniker, "--format", "{{.Names}}"); left != "" {
		s.t.Errorf("containers left: %s", left)
	}
	if left := s.docker("network", "ls", "--filter", "label=rbm.moniker="+moniker, "--format", "{{.Name}}"); left != "" {
		s.t.Errorf("networks left: %s", left)
	}
	if rules, _ := s.try("iptables", "-S", "DOCKER-USER"); strings.Contains(rules, "rbm.moniker="+moniker) {
		s.t.Errorf("the host rule is left:\n%s", rules)
	}
	if err := engine.Stop(s.ctx, rt, runner.Exec{}, moniker, &out); err != nil || !strings.Contains(out.String(), "nothing to remove") {
		s.t.Errorf("a second stop: %v\n%s", err, out.String())
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// counted is the service backend that also sees the foreign resolver's
// count and the upstream's, which a real deployment cannot.
type counted struct {
	*serviceverify.Backend
	foreign, upstream string
}

func (b counted) UpstreamQueries(ctx context.Context, name string) (int, error) {
	st, err := standin.FetchStats(ctx, b.upstream)
	return int(st.Resolver[name]), err
}

func (b counted) ForeignQueries(ctx context.Context) (int, bool, error) {
	st, err := standin.FetchStats(ctx, b.foreign)
	return int(st.Foreign.Total), err == nil, err
}
