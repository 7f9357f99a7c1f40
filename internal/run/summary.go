package run

import (
	"fmt"
	"io"
	"strings"

	"github.com/recipe-bottle/rbm/internal/safetext"
	"github.com/recipe-bottle/rbm/internal/suggest"
)

// shown bounds the names and addresses the summary lists.
const shown = 8

// Summary writes, in at most three lines, what the sentry refused during
// the run and the flags that would open it, from the same report as rbm
// suggest; nothing when nothing was refused. Every value is escaped.
func Summary(w io.Writer, r suggest.Report, cur suggest.Current) {
	names := r.Domains(cur.Domains, cur.Match)[len(cur.Domains):]
	cidrs := r.CIDRs(cur.CIDRs)[len(cur.CIDRs):]
	if len(names) > 0 {
		fmt.Fprintf(w, "rbm run: the sentry refused %s; --allow %s would open %s\n",
			count(len(names), "name", "names"), list(names), them(len(names)))
	}
	if len(cidrs) > 0 {
		fmt.Fprintf(w, "rbm run: the sentry refused %s reached without an allowed name; --allow-cidr %s would open %s\n",
			count(len(cidrs), "address", "addresses"), list(cidrs), them(len(cidrs)))
	}
	if other := len(r.Withheld) + len(r.Never) + len(r.Guarded); other > 0 {
		fmt.Fprintf(w, "rbm run: and %s no flag should open (names that are not host names, metadata, other resolvers...); rbm suggest lists them (run with --keep)\n",
			count(other, "refusal", "refusals"))
	}
}

func list(vs []string) string {
	esc := make([]string, 0, shown)
	for i, v := range vs {
		if i == shown {
			break
		}
		esc = append(esc, safetext.Word(v))
	}
	s := strings.Join(esc, ",")
	if n := len(vs) - shown; n > 0 {
		s += fmt.Sprintf(" (and %d more)", n)
	}
	return s
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func them(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}
