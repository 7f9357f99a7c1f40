package podman_test

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/engine/serviceverify"
	"github.com/recipe-bottle/rbm/internal/podman"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/standin"
	"github.com/recipe-bottle/rbm/internal/verify"
)

// A "foreign public resolver" on the stand-in internet: it answers any name,
// so a query that reached it would come back with standin.DefaultForeignAnswer,
// and it counts every query on a stats socket the host reads.
const (
	foreignIP   = "203.0.113.103"
	foreignName = "rbmt-foreign"
	baitDomain  = "bait.test" // allowed, not rebind-ok: the world's resolver has private. and metadata. bait
	echoPort    = 7           // the allowed stand-in's echo port
	// deadEnd is the sentry's default route: the learned server's uplink
	// address, which answers only for its own addresses (the far one among
	// them) and forwards nothing. The --internal uplink has no default
	// route, and without one the sentry's kernel refuses a packet to a
	// non-local address (metadata, neighbouring subnets) before its FORWARD
	// rules see it; a real uplink has one.
	deadEnd = learnedNear
)

// verifyConfig is the end-to-end service plus the bait domain.
func verifyConfig(t *testing.T) []string {
	return append(e2eConfig(t), "RBRN_UPLINK_ALLOWED_DOMAINS=allowed.test "+baitDomain, "RBRR_HOST_ADDRESSES="+upGateway)
}

// TestPodmanVerify runs the containment battery (verify.Run through
// serviceverify.Start, then the `rbm verify --moniker` CLI) against a
// real service on the stand-in internet, plain and hostile, and checks that
// the sentry stops cleanly on SIGTERM.
func TestPodmanVerify(t *testing.T) {
	needPodman(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	h := host{t: t, ctx: ctx}
	caFile := standInInternet(h)
	stats := foreignResolver(h)
	waitStandins(h)
	if _, err := os.Stat(caFile); err != nil {
		t.Fatalf("the allowed stand-in wrote no CA: %v", err)
	}

	// The whole battery on each firewall backend, one service after the
	// other (one moniker); the CLI and the stop check once.
	backends := []string{"iptables", "nftables"}
	if rootless { // the user namespace differs, not the firewall: the root run covers nftables
		backends = backends[:1]
	}
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			verifyBackend(ctx, t, backend, caFile, stats, backend == "iptables")
		})
	}
}

// verifyBackend starts the service on backend and runs the battery; with
// extras hostile too, the CLI and the SIGTERM check.
func verifyBackend(ctx context.Context, t *testing.T, backend, caFile, stats string, extras bool) {
	h := host{t: t, ctx: ctx}
	began := time.Now()
	s := startService(h, resolve(t, append(verifyConfig(t), "RBRR_FIREWALL_BACKEND="+backend)...))
	t.Logf("timing: start took %s", time.Since(began).Round(time.Millisecond))

	s.podman("exec", s.names.Sentry, "ip", "route", "add", "default", "via", deadEnd)

	// verify judges against what the sentry runs with, as the CLI does.
	cfg, err := serviceverify.Config(ctx, podman.Runtime{}, runner.Exec{}, s.names)
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Policy()
	uplink, err := serviceverify.SentryUplink(ctx, podman.Runtime{}, runner.Exec{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	target := verify.Target{
		Policy:  p,
		Foreign: netip.MustParseAddr(foreignIP), Allowed: netip.MustParseAddr(allowedIP), Forbidden: netip.MustParseAddr(otherIP),
		EchoPort: echoPort, AllowedName: "allowed.test", ForbiddenName: "other.test", BaitDomain: baitDomain,
		Learned: netip.MustParseAddr(learnedIP), LearnName: "learn.allowed.test",
		HostAddr: hostAddr(uplink.Addr()), HostName: hostName,
		CAFile: serviceverify.ProbeCAPath, BridgeIP: engine.BridgeIP(p.Subnet), SentryUplink: uplink.Addr(), UplinkPrefix: uplink.Masked(),
	}

	bin := buildCLI(ctx, t)
	t.Run("observe", func(t *testing.T) { checkObserve(ctx, t, s, bin) })
	for _, hostile := range []bool{false, true} {
		if hostile && !extras {
			// What capabilities change (spoofing, raw sockets) is the
			// runtime's to grant and the rules' to hold: the iptables run
			// proves it under Podman, the lab proves both backends
			// (TestLabBatteryHoldsInEveryMode), and CI's time is bounded.
			continue
		}
		name := map[bool]string{false: "battery", true: "hostile battery"}[hostile]
		t.Run(name, func(t *testing.T) {
			t0 := time.Now()
			target.Hostile = hostile
			runBattery(ctx, t, s, cfg, target, caFile, stats)
			t.Logf("timing: %s took %s", name, time.Since(t0).Round(time.Millisecond))
		})
	}
	if !extras {
		return
	}
	t.Run("cli", func(t *testing.T) {
		t0 := time.Now()
		runVerifyCLI(ctx, t, bin, caFile)
		t.Logf("timing: rbm verify --moniker took %s", time.Since(t0).Round(time.Millisecond))
	})
	t.Run("sentry stops on SIGTERM", func(t *testing.T) { sentryStopsCleanly(ctx, t, s) })
}

// hostAddr is the host's address on the uplink bridge, which the services
// are told is the host's; invalid (the host-address cases skip) where the
// sentry holds it itself: rootless netavark gives an internal network no
// gateway, so its first dynamic address may be .1.
func hostAddr(sentryUplink netip.Addr) netip.Addr {
	if a := netip.MustParseAddr(upGateway); a != sentryUplink {
		return a
	}
	return netip.Addr{}
}

// wantCaps is CapEff of the probe process: nothing, or NET_ADMIN (bit 12)
// and NET_RAW (bit 13) when hostile.
var wantCaps = map[bool]string{false: "0000000000000000", true: "0000000000003000"}

func runBattery(ctx context.Context, t *testing.T, s *service, cfg *config.Config, target verify.Target, caFile, stats string) {
	b, err := serviceverify.Start(ctx, podman.Runtime{}, runner.Exec{}, cfg, serviceverify.ProbeOptions{Hostile: target.Hostile, CAFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(context.Background()); err != nil {
			t.Errorf("remove the probe container: %v", err)
		}
	})
	// The probes run through `podman exec` as the bottle's user: check that
	// such a process holds exactly the capabilities the battery assumes.
	status := s.podman("exec", b.Container(), "cat", "/proc/self/status")
	var capEff, uid string
	for _, l := range strings.Split(status, "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			switch k {
			case "CapEff":
				capEff = strings.TrimSpace(v)
			case "Uid":
				uid = strings.Fields(v)[0]
			}
		}
	}
	t.Logf("probe process: uid %s, CapEff %s", uid, capEff)
	if capEff != wantCaps[target.Hostile] || uid != strconv.Itoa(cfg.BottleUID) {
		t.Fatalf("probe process: uid %s CapEff %s, want uid %d CapEff %s", uid, capEff, cfg.BottleUID, wantCaps[target.Hostile])
	}

	if target.PingDenied, err = b.PingDenied(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("ping sockets denied to the bottle's group: %v", target.PingDenied)
	cases := verify.Cases(target)
	if len(cases) < 30 {
		t.Errorf("%d cases, want at least 30", len(cases))
	}
	foreignBefore, err := standin.FetchStats(ctx, stats)
	if err != nil {
		t.Fatal(err)
	}
	results, err := verify.Run(ctx, foreignCounted{b, stats, resolverStats(caFile)}, cases, nil)
	if err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	verify.Print(&report, results)
	t.Logf("rbm verify (hostile=%v) through serviceverify.Start:\n%s", target.Hostile, report.String())
	if !verify.AllHold(results) {
		t.Errorf("containment does not hold: %s", verify.Summary(results))
	}
	foreignAfter, err := standin.FetchStats(ctx, stats)
	if err != nil {
		t.Fatal(err)
	}
	if n := foreignAfter.Foreign.Total - foreignBefore.Foreign.Total; n != 0 {
		t.Errorf("the foreign resolver received %d queries during the battery (%v)", n, foreignAfter.Foreign.ByTransport)
	}
}

// runVerifyCLI runs the built rbm binary as a user would, always naming the
// stand-ins: its defaults are real public addresses.
func runVerifyCLI(ctx context.Context, t *testing.T, bin, caFile string) {
	cctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, bin, "verify", "--moniker", moniker,
		"--foreign", foreignIP, "--forbidden", otherIP, "--allowed", allowedIP,
		"--allowed-name", "allowed.test", "--forbidden-name", "other.test",
		"--bait-domain", baitDomain, "--ca-file", caFile, "--echo-port", strconv.Itoa(echoPort),
		// The battery itself ran just before through verify.Run: the CLI's
		// wiring needs only a few cases (HTTPS with the CA, a drop, the
		// closing FORWARD-chain check).
		"--case", "request/*", "--case", "egress/forbidden-tcp-443")
	out, err := cmd.CombinedOutput()
	t.Logf("%s:\n%s", strings.Join(cmd.Args[1:], " "), out)
	if err != nil {
		t.Fatalf("rbm verify --moniker: %v", err)
	}
	if !strings.Contains(string(out), " cases: ") {
		t.Errorf("rbm verify printed no summary line (\"N cases: ...\")")
	}
}

// sentryStopsCleanly: `podman stop` sends SIGTERM; the sentry must exit by
// itself (status 0), not be killed at the timeout (137).
func sentryStopsCleanly(ctx context.Context, t *testing.T, s *service) {
	h := host{t: t, ctx: ctx}
	t0 := time.Now()
	h.podman("stop", "-t", "10", s.names.Sentry)
	took := time.Since(t0).Round(time.Millisecond)
	code := h.podman("inspect", "--format", "{{.State.ExitCode}}", s.names.Sentry)
	logs, _ := exec.CommandContext(ctx, "podman", "logs", "--tail", "3", s.names.Sentry).CombinedOutput() // the sentry logs to stderr
	t.Logf("timing: podman stop -t 10 of the sentry took %s, exit code %s; last log lines:\n%s", took, code, logs)
	if code != "0" {
		t.Errorf("sentry exit code %s after podman stop, want 0 (137: it ignored SIGTERM and was killed)", code)
	}
}
