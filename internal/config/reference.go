package config

import (
	"fmt"
	"strings"
)

// Reference renders the variable table as Markdown for the README; a test
// keeps the README's copy identical, so the docs cannot drift from the code.
func Reference() string {
	var b strings.Builder
	b.WriteString("| variable | default | meaning |\n|---|---|---|\n")
	for _, v := range Vars {
		def := "`" + v.Default + "`"
		if v.Default == "" {
			def = "(none)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", v.Name, def, strings.ReplaceAll(v.Doc, "|", `\|`))
	}
	return b.String()
}
