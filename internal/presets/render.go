package presets

import (
	"fmt"
	"strings"
	"text/tabwriter"
)

// RenderList is `rbm presets`: one line per preset with its name, how many
// names it allows and what it opens beyond reading. Pure, for golden tests.
func RenderList(ps []Preset) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PRESET\tNAMES\tOPENS BEYOND READING")
	for _, p := range ps {
		fmt.Fprintf(w, "@%s\t%d\t%s\n", p.Name, p.Count(), p.Opens)
	}
	w.Flush()
	b.WriteString("\nUse one in RBRN_UPLINK_ALLOWED_DOMAINS as @name; rbm presets NAME lists its names.\n")
	return b.String()
}

// RenderExpand is `rbm presets NAME...`: each preset's names, one per line,
// after comment lines saying where they come from, so the output can be
// read by a person and still piped (grep -v '^#').
func RenderExpand(ps []Preset) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "# @%s: %s from %s, checked %s\n", p.Name, plural(p.Count(), "name"), p.Source, p.Checked)
		fmt.Fprintf(&b, "# opens beyond reading: %s\n", p.Opens)
		for _, n := range p.Names {
			b.WriteString(n + "\n")
		}
	}
	return b.String()
}

// Arrow is the one-line expansion `rbm config check` shows:
// "@github → github.com, api.github.com, ...".
func Arrow(p Preset) string {
	return fmt.Sprintf("@%s → %s", p.Name, strings.Join(p.Names, ", "))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Markdown is the README's table of presets (`rbm presets --markdown`); a
// test keeps the README's copy identical.
func Markdown(ps []Preset) string {
	var b strings.Builder
	b.WriteString("| preset | allows | beyond reading |\n|---|---|---|\n")
	for _, p := range ps {
		fmt.Fprintf(&b, "| `@%s` | `%s` | %s |\n", p.Name, strings.Join(p.Names, "` `"), strings.ReplaceAll(p.Opens, "|", `\|`))
	}
	return b.String()
}
