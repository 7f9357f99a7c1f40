package verify

import (
	"fmt"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"strings"
)

// CaseTable is the battery as a Markdown table: each case, what it tries
// and what must come of it for t (the README shows the built-in lab's).
// The final FORWARD-chain case, judged on the whole run, closes it.
func CaseTable(t Target) string {
	var b strings.Builder
	b.WriteString("| case | tried (in the built-in lab) | must |\n|---|---|---|\n")
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	cs := append(Cases(t), forwardCase(firewall.Snapshot{}, nil).Case)
	for _, c := range cs {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c.Name, cell(c.Tried), cell(c.Expect.Text))
	}
	return b.String()
}
