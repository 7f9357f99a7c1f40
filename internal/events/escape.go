package events

import "github.com/recipe-bottle/rbm/internal/safetext"

// Escaped returns e with every text field made safe to print: names,
// addresses, rule ids and the other one-token fields escape their spaces
// too (safetext.Word), the verdict and lifecycle texts only what is not
// printable ASCII (safetext.Text). What the bottle chose (a queried name,
// an SNI, a Host header) reaches these fields, so every display of an
// event goes through here: a name cannot hide in, or rewrite, the line
// that reports it. Names the DNS guard escaped already (\DDD) pass
// through unchanged.
func (e Event) Escaped() Event {
	w := safetext.Word
	e.Kind = Kind(w(string(e.Kind)))
	e.Client, e.Name, e.Type = w(e.Client), w(e.Name), w(e.Type)
	e.Proto, e.Src, e.Dst, e.Rule = w(e.Proto), w(e.Src), w(e.Dst), w(e.Rule)
	e.Addr, e.Domain = w(e.Addr), w(e.Domain)
	e.Verdict, e.What, e.Detail = safetext.Text(e.Verdict), safetext.Text(e.What), safetext.Text(e.Detail)
	if e.Answers != nil {
		as := make([]string, len(e.Answers))
		for i, a := range e.Answers {
			as[i] = w(a)
		}
		e.Answers = as
	}
	return e
}
