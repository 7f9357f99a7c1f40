package podman

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Preflight checks the host before Start creates anything, and says what to
// do about each problem.
type Preflight struct {
	Runner runner.Runner
	// PortFree returns an error when the TCP port cannot be listened on;
	// nil means the real check (listen on it, then close).
	PortFree func(addr netip.Addr, port uint16) error
}

// Report is what Preflight found: facts worth printing, and problems that
// stop Start.
type Report struct {
	Info     []string
	Problems []string
}

func (r *Report) info(format string, a ...any) { r.Info = append(r.Info, fmt.Sprintf(format, a...)) }
func (r *Report) problem(format string, a ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, a...))
}

// Err returns every problem as one error, or nil.
func (r Report) Err() error {
	if len(r.Problems) == 0 {
		return nil
	}
	return fmt.Errorf("preflight found %d problem(s):\n  %s", len(r.Problems), strings.Join(r.Problems, "\n  "))
}

// Check runs every check and reports all problems at once.
func (p Preflight) Check(ctx context.Context, cfg *config.Config) Report {
	var rep Report
	if err := plannable(cfg); err != nil {
		rep.problem("%v", err)
		return rep
	}
	if !p.checkPodman(ctx, &rep) {
		return rep
	}
	p.checkMode(ctx, &rep)
	nets, err := Networks(ctx, p.Runner)
	if err != nil {
		rep.problem("%v", err)
	}
	checkSubnet(cfg, nets, &rep)
	checkUplink(cfg, nets, &rep)
	p.checkHostRoutes(ctx, cfg, nets, &rep)
	p.checkPort(cfg, &rep)
	p.checkImages(ctx, cfg, &rep)
	p.checkMoniker(ctx, cfg, nets, &rep)
	return rep
}

func (p Preflight) checkPodman(ctx context.Context, rep *Report) bool {
	v, err := Version(ctx, p.Runner)
	if err != nil {
		rep.problem("%v", err)
		return false
	}
	ok, err := versionAtLeast(v, MinVersion)
	switch {
	case err != nil:
		rep.problem("%v", err)
		return false
	case !ok:
		rep.problem("podman %s is too old: rbm needs %d.%d or newer (static IPs on two networks, pod init containers)", v, MinVersion[0], MinVersion[1])
		return false
	}
	rep.info("podman %s", v)
	return true
}

func (p Preflight) checkMode(ctx context.Context, rep *Report) {
	out, err := p.Runner.Run(ctx, podman("info", "--format", "{{.Host.Security.Rootless}}"))
	switch {
	case err != nil:
		rep.problem("podman info: %v", err)
	case strings.TrimSpace(string(out)) == "true":
		rep.info("rootless Podman: not tested by rbm's CI (see docs/podman.md)")
	default:
		rep.info("rootful Podman (the mode rbm's CI tests)")
	}
}

func (p Preflight) checkPort(cfg *config.Config, rep *Report) {
	if !cfg.EntryEnabled {
		return
	}
	free := p.PortFree
	if free == nil {
		free = listenCheck
	}
	if err := free(cfg.EntryBind, cfg.EntryPortWorkstation); err != nil {
		rep.problem("RBRN_ENTRY_PORT_WORKSTATION=%d: the port is in use on %s (%v); stop what listens there or choose another port",
			cfg.EntryPortWorkstation, cfg.EntryBind, errors.Unwrap(err))
	}
}

// listenCheck listens where Podman's -p will.
func listenCheck(addr netip.Addr, port uint16) error {
	l, err := net.Listen("tcp", netip.AddrPortFrom(addr, port).String())
	if err != nil {
		return fmt.Errorf("listen on port %d: %w", port, err)
	}
	return l.Close()
}
