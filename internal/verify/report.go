package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/recipe-bottle/rbm/internal/probe"
)

// Print writes one line per case: verdict, name, what was tried, what was
// expected, what was observed and the rules whose counters moved; then a
// summary line.
func Print(w io.Writer, rs []Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERDICT\tCASE\tTRIED\tEXPECTED\tOBSERVED\tRULES MOVED")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Verdict, r.Case.Name, r.Case.Tried, r.Case.Expect.Text, Observed(r.Observed), strings.Join(Telling(r.Moved), " "))
		if r.Why != "" {
			fmt.Fprintf(tw, "\t  %s: %s\t\t\t\t\n", whyLabel(r.Verdict), r.Why)
		}
		if r.Note != "" {
			fmt.Fprintf(tw, "\t  how: %s\t\t\t\t\n", r.Note)
		}
	}
	tw.Flush()
	fmt.Fprintln(w, Summary(rs))
}

// PrintJSON writes the results as a JSON array.
func PrintJSON(w io.Writer, rs []Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rs)
}

// Summary counts the verdicts.
func Summary(rs []Result) string {
	n := map[Verdict]int{}
	for _, r := range rs {
		n[r.Verdict]++
	}
	s := fmt.Sprintf("%d cases: %d hold, %d info, %d broken", len(rs), n[Holds], n[Info], n[Broken])
	if n[NotRun] > 0 {
		s += fmt.Sprintf(", %d could not run", n[NotRun])
	}
	return s
}

// Observed is a one-line description of a probe result.
func Observed(r probe.Result) string {
	var parts []string
	if r.Outcome != "" {
		parts = append(parts, string(r.Outcome))
	}
	if r.Rcode != "" {
		parts = append(parts, r.Rcode)
	}
	if len(r.Answers) > 0 {
		parts = append(parts, strings.Join(r.Answers, ","))
	}
	if r.Outcome == "" || r.Outcome == probe.Error {
		parts = append(parts, "("+r.Detail+")")
	}
	return strings.Join(parts, " ")
}

// Telling drops the rules every packet crosses (jumps, established,
// loopback), which say nothing about one case.
func Telling(ids []string) []string {
	var out []string
	for _, id := range ids {
		if strings.HasSuffix(id, "-jump") || strings.HasSuffix(id, "-established") || strings.HasSuffix(id, "-loopback") {
			continue
		}
		out = append(out, strings.TrimPrefix(id, "rbm:"))
	}
	return out
}

// whyLabel heads the line that says why: a case that could not run says
// so in words, so it never reads as a verdict on containment.
func whyLabel(v Verdict) string {
	if v == NotRun {
		return "could not run"
	}
	return "why"
}
