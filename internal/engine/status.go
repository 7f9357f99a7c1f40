package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Member is one container of the service.
type Member struct {
	Name      string
	Role      string // sentry, pod infra, init, guard, bottle, other
	State     string // running, exited, created, ...
	ExitCode  int
	Health    string            // the sentry's health check status, if any
	Addresses map[string]string // network name -> IPv4 address
}

// Status is what `rbm status` shows of one service.
type Status struct {
	Moniker  string
	Runtime  string // the runtime's name
	Networks []Network
	Members  []Member
	Routes   error // nil when the bottle's routes are right
	Counters *firewall.Snapshot
	// Gate is the name gate's connections by counter id ("rbm:gate-pass");
	// nil: the gate counted none (or does not run).
	Gate     map[string]uint64
	Recent   *events.Summary // refusals of the last RecentWindow
	Policy   *policy.Policy  // what the sentry applies now (nil: not read)
	Config   string          // where that configuration comes from
	Upstream string          // whether the upstream resolver answers ("": not asked)
	Notes    []string        // why routes, counters or events could not be read
}

// RecentWindow is how far back rbm status looks for refusals.
const RecentWindow = 10 * time.Minute

// Inspect gathers the status of the service called moniker.
func Inspect(ctx context.Context, rt Runtime, r runner.Runner, moniker string) (Status, error) {
	n := NamesFor(moniker)
	st := Status{Moniker: moniker, Runtime: rt.Name()}
	nets, err := rt.Networks(ctx, r)
	if err != nil {
		return st, err
	}
	for _, x := range nets {
		if x.Labels[LabelKey] == moniker {
			st.Networks = append(st.Networks, x)
		}
	}
	if st.Members, err = members(ctx, rt, r, n); err != nil {
		return st, err
	}
	st.readRoutes(ctx, rt, r, n)
	st.readCounters(ctx, rt, r, n)
	st.readConfig(ctx, rt, r, n)
	st.readRecent(ctx, rt, r, n)
	st.readUpstream(ctx, rt, r, n)
	return st, nil
}

func members(ctx context.Context, rt Runtime, r runner.Runner, n Names) ([]Member, error) {
	names, err := rt.Containers(ctx, r, n)
	if err != nil || len(names) == 0 {
		return nil, err
	}
	out, err := r.Run(ctx, rt.Inspect(names...))
	if err != nil {
		return nil, fmt.Errorf("inspect containers of %s: %w", n.Moniker, err)
	}
	all, err := ParseInspect(out)
	if err != nil {
		return nil, err
	}
	ms := make([]Member, 0, len(all))
	seen := map[string]bool{}
	for _, c := range all {
		if !seen[c.Name] {
			seen[c.Name] = true
			ms = append(ms, member(c, n))
		}
	}
	return ms, nil
}

func member(c Container, n Names) Member {
	roles := map[string]string{n.Sentry: "sentry", n.NetInit: "init", n.NetGuard: "guard", n.Bottle: "bottle"}
	role, ok := roles[c.Name]
	switch {
	case c.Infra:
		role = "pod infra"
	case !ok:
		role = "other"
	}
	m := Member{Name: c.Name, Role: role, State: c.State, ExitCode: c.ExitCode, Health: c.Health, Addresses: map[string]string{}}
	for net, p := range c.Networks {
		m.Addresses[net] = p.Addr().String()
	}
	return m
}

func (s *Status) member(role string) (Member, bool) {
	for _, m := range s.Members {
		if m.Role == role {
			return m, true
		}
	}
	return Member{}, false
}

// readRoutes asks the running guard to check the bottle's routes.
func (s *Status) readRoutes(ctx context.Context, rt Runtime, r runner.Runner, n Names) {
	sentry, ok1 := s.member("sentry")
	guard, ok2 := s.member("guard")
	if !ok1 || !ok2 || guard.State != "running" || len(s.Networks) == 0 {
		s.Notes = append(s.Notes, "routes not checked: the guard is not running")
		return
	}
	via, err1 := netip.ParseAddr(sentry.Addresses[n.Enclave])
	subnets := s.enclavePrefixes(n)
	if err1 != nil || len(subnets) == 0 {
		s.Notes = append(s.Notes, "routes not checked: the sentry has no enclave address")
		return
	}
	_, s.Routes = r.Run(ctx, Exec(rt, n.NetGuard, false, "rbm", "netinit", "--via", via.String(), "--block", BridgeIP(subnets[0]).String(), "--check"))
}

func (s *Status) enclavePrefixes(n Names) []netip.Prefix {
	for _, x := range s.Networks {
		if x.Name == n.Enclave {
			return x.Prefixes()
		}
	}
	return nil
}

// readCounters reads the sentry's per-rule counters.
func (s *Status) readCounters(ctx context.Context, rt Runtime, r runner.Runner, n Names) {
	if m, ok := s.member("sentry"); !ok || m.State != "running" {
		s.Notes = append(s.Notes, "counters not read: the sentry is not running")
		return
	}
	out, err := r.Run(ctx, Exec(rt, n.Sentry, false, "rbm", "counters", "--json"))
	if err != nil {
		s.Notes = append(s.Notes, fmt.Sprintf("counters not read: %v", err))
		return
	}
	var snap struct {
		firewall.Snapshot
		GateConnections map[string]uint64 `json:"gate_connections"`
	}
	if err := json.Unmarshal(out, &snap); err != nil {
		s.Notes = append(s.Notes, fmt.Sprintf("counters not read: parse rbm counters --json: %v", err))
		return
	}
	s.Counters, s.Gate = &snap.Snapshot, snap.GateConnections
}

// readRecent summarises the sentry's events of the last RecentWindow.
func (s *Status) readRecent(ctx context.Context, rt Runtime, r runner.Runner, n Names) {
	if m, ok := s.member("sentry"); !ok || m.State != "running" {
		return
	}
	out, err := r.Run(ctx, EventsCmd(rt, n.Moniker, false, RecentWindow, nil))
	if err != nil {
		s.Notes = append(s.Notes, fmt.Sprintf("recent events not read: %v", err))
		return
	}
	var evs []events.Event
	if err := events.Decode(bytes.NewReader(out), func(e events.Event) error { evs = append(evs, e); return nil }); err != nil {
		s.Notes = append(s.Notes, fmt.Sprintf("recent events not read: %v", err))
		return
	}
	sum := events.Summarize(evs)
	s.Recent = &sum
}

// readConfig reads the configuration the sentry applies and its source.
func (s *Status) readConfig(ctx context.Context, rt Runtime, r runner.Runner, n Names) {
	if m, ok := s.member("sentry"); !ok || m.State != "running" {
		return
	}
	c, source, err := LiveConfig(ctx, rt, r, n)
	if err != nil {
		s.Notes = append(s.Notes, fmt.Sprintf("live configuration not read: %v", err))
		return
	}
	p := c.Policy()
	s.Policy, s.Config = &p, source
}

// readUpstream asks the sentry whether its upstream resolver answers: a
// sentry is ready without it, but then no name resolves.
func (s *Status) readUpstream(ctx context.Context, rt Runtime, r runner.Runner, n Names) {
	if m, ok := s.member("sentry"); !ok || m.State != "running" || s.Policy == nil || s.Policy.DNS == policy.DNSOff {
		return
	}
	out, err := r.Run(ctx, Exec(rt, n.Sentry, false, "rbm", "sentry", "upstream"))
	if err != nil {
		var ee *runner.ExitError
		if errors.As(err, &ee) && strings.TrimSpace(ee.Stderr) != "" {
			err = errors.New(strings.TrimPrefix(strings.TrimSpace(ee.Stderr), "rbm: "))
		}
		s.Upstream = "NOT ANSWERING: " + err.Error()
		return
	}
	s.Upstream = strings.TrimSpace(string(out))
}
