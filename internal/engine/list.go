package engine

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// Service is one line of rbm status without a moniker.
type Service struct {
	Moniker string `json:"moniker"`
	Runtime string `json:"runtime"`
	Sentry  string `json:"sentry"` // state (health)
	Bottle  string `json:"bottle"`
	Egress  string `json:"egress,omitempty"`
	DNS     string `json:"dns,omitempty"`
	Deny    string `json:"deny,omitempty"`
	Config  string `json:"config,omitempty"` // where the live configuration comes from
	Recent  string `json:"recent,omitempty"` // refusals of the last RecentWindow
}

// List finds every bottle service of rt on this host (objects labelled
// LabelKey) and sums each up.
func List(ctx context.Context, rt Runtime, r runner.Runner) ([]Service, error) {
	monikers, err := rt.Monikers(ctx, r)
	if err != nil {
		return nil, err
	}
	slices.Sort(monikers)
	var list []Service
	for _, m := range slices.Compact(monikers) {
		st, err := Inspect(ctx, rt, r, m)
		if err != nil {
			return nil, err
		}
		list = append(list, st.Service())
	}
	return list, nil
}

// Service sums the status up in one line.
func (s Status) Service() Service {
	sv := Service{Moniker: s.Moniker, Runtime: s.Runtime, Sentry: "missing", Bottle: "missing", Config: s.Config}
	if m, ok := s.member("sentry"); ok {
		sv.Sentry = stateText(m)
	}
	if m, ok := s.member("bottle"); ok {
		sv.Bottle = stateText(m)
	}
	if s.Policy != nil {
		sv.Egress, sv.DNS, sv.Deny = string(s.Policy.Egress), string(s.Policy.DNS), string(s.Policy.Deny)
	}
	if s.Recent != nil {
		sv.Recent = s.Recent.String()
	}
	return sv
}

// WriteList prints the services as a table.
func WriteList(w io.Writer, list []Service) {
	if len(list) == 0 {
		fmt.Fprintf(w, "no bottle service on this host (no container or network is labelled %s)\n", LabelKey)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MONIKER\tRUNTIME\tSENTRY\tBOTTLE\tEGRESS\tDNS\tDENY\tREFUSED (last 10 min)")
	for _, s := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Moniker, s.Runtime, s.Sentry, s.Bottle, dash(s.Egress), dash(s.DNS), dash(s.Deny), dash(s.Recent))
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
