package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Preflight checks the host before Start creates anything, and says what to
// do about each problem.
type Preflight struct {
	Runtime Runtime
	Runner  runner.Runner
	// PortFree returns an error when the TCP port cannot be listened on;
	// nil means the real check (listen on it, then close).
	PortFree func(addr netip.Addr, port uint16) error
	// Site is where the containers run, when the caller has read it
	// already (AutoSubnet); nil reads it here.
	Site *Site
}

// Report is what Preflight found: facts worth printing, and problems that
// stop Start.
type Report struct {
	Info     []string
	Problems []string
}

// Infof adds a fact worth printing.
func (r *Report) Infof(format string, a ...any) { r.Info = append(r.Info, fmt.Sprintf(format, a...)) }

// Problemf adds a problem that stops Start.
func (r *Report) Problemf(format string, a ...any) {
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
	if err := Plannable(cfg); err != nil {
		rep.Problemf("%v", err)
		return rep
	}
	if p.Site == nil {
		p.Site = NewSite(p.Runtime, p.Runner)
	}
	if !p.Runtime.Check(ctx, p.Runner, cfg, p.Site, &rep) {
		return rep
	}
	nets, err := p.Site.Networks(ctx)
	if err != nil {
		rep.Problemf("%v", err)
	}
	p.checkSubnet(cfg, nets, &rep)
	p.checkUplink(cfg, nets, &rep)
	h := p.where(ctx, &rep)
	p.checkHostRoutes(ctx, cfg, nets, h, &rep)
	home, _ := os.UserHomeDir()
	checkVolumes(cfg, h, home, &rep)
	p.checkPort(cfg, &rep)
	p.checkMoniker(ctx, cfg, nets, &rep)
	return rep
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
		rep.Problemf("RBRN_ENTRY_PORT_WORKSTATION=%d: the port is in use on %s (%v); stop what listens there or choose another port",
			cfg.EntryPortWorkstation, cfg.EntryBind, errors.Unwrap(err))
	}
}

// listenCheck listens where the runtime's -p will.
func listenCheck(addr netip.Addr, port uint16) error {
	l, err := net.Listen("tcp", netip.AddrPortFrom(addr, port).String())
	if err != nil {
		return fmt.Errorf("listen on port %d: %w", port, err)
	}
	return l.Close()
}
