package engine

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// Write prints the status for humans.
func (s Status) Write(w io.Writer) {
	if len(s.Members) == 0 && len(s.Networks) == 0 {
		fmt.Fprintf(w, "bottle service %s: nothing found (no %s object is labelled %s=%s)\n", s.Moniker, s.Runtime, LabelKey, s.Moniker)
		return
	}
	fmt.Fprintf(w, "bottle service %s (%s)\n", s.Moniker, s.Runtime)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ROLE\tNAME\tSTATE\tADDRESSES")
	for _, n := range s.Networks {
		fmt.Fprintf(tw, "  network\t%s\tinternal=%t\t%v\n", n.Name, n.Internal, n.Prefixes())
	}
	sort.SliceStable(s.Members, func(i, j int) bool { return roleOrder(s.Members[i].Role) < roleOrder(s.Members[j].Role) })
	for _, m := range s.Members {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", m.Role, m.Name, stateText(m), addrText(m.Addresses))
	}
	tw.Flush()
	s.writeRoutes(w)
	s.writeCounters(w)
	if s.Policy != nil {
		fmt.Fprintf(w, "configuration: %s; egress %s, DNS %s, denials %s\n", s.Config, s.Policy.Egress, s.Policy.DNS, s.Policy.Deny)
	}
	if s.Upstream != "" {
		fmt.Fprintf(w, "upstream: %s\n", s.Upstream)
	}
	if s.Recent != nil {
		fmt.Fprintf(w, "refused in the last %v: %s (rbm observe --moniker %s shows them as they happen)\n", RecentWindow, s.Recent, s.Moniker)
	}
	for _, n := range s.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

func roleOrder(role string) int {
	for i, r := range []string{"sentry", "pod infra", "init", "guard", "bottle"} {
		if r == role {
			return i
		}
	}
	return 99
}

func stateText(m Member) string {
	s := m.State
	if m.State == "exited" {
		s = fmt.Sprintf("exited (%d)", m.ExitCode)
	}
	if m.Health != "" {
		s += " (" + m.Health + ")"
	}
	return s
}

func addrText(a map[string]string) string {
	parts := make([]string, 0, len(a))
	for net, ip := range a {
		parts = append(parts, net+"="+ip)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func (s Status) writeRoutes(w io.Writer) {
	if _, ok := s.member("guard"); !ok {
		return
	}
	switch {
	case s.Routes != nil:
		fmt.Fprintf(w, "routes: WRONG: %v\n", s.Routes)
	case !strings.Contains(strings.Join(s.Notes, " "), "routes not checked"):
		fmt.Fprintln(w, "routes: ok: the bottle's only default route is the sentry; the bridge address is prohibited")
	}
}

// writeCounters prints every rule that counted a packet, then every rule
// of the name gate that counted a connection (the gate is no kernel rule:
// its counts are connections, on a line of their own).
func (s Status) writeCounters(w io.Writer) {
	if s.Counters == nil {
		return
	}
	var moved []string
	for id, c := range s.Counters.Rules {
		if c.Packets > 0 {
			moved = append(moved, fmt.Sprintf("%s=%d", id, c.Packets))
		}
	}
	sort.Strings(moved)
	if len(moved) == 0 {
		fmt.Fprintln(w, "counters: no rule has counted a packet yet")
	} else {
		fmt.Fprintf(w, "counters (packets, rules that moved): %s\n", strings.Join(moved, " "))
	}
	var gate []string
	for id, n := range s.Gate {
		if n > 0 {
			gate = append(gate, fmt.Sprintf("%s=%d", id, n))
		}
	}
	sort.Strings(gate)
	if len(gate) > 0 {
		fmt.Fprintf(w, "name gate (connections, rules that moved): %s\n", strings.Join(gate, " "))
	}
}
