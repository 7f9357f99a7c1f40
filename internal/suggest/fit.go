package suggest

import (
	"regexp"
	"strings"

	"github.com/recipe-bottle/rbm/internal/hostname"
)

// Why a refused name is not proposed.
const (
	notHostName  = "not a host name"
	notAllowable = "a host name RBRN_UPLINK_ALLOWED_DOMAINS does not take ('_' or a hyphen at a label's edge)"
	specialUse   = "a special-use name"
	publicSuffix = "a public suffix as a whole"
)

// withhold splits the refused names into those fit to propose and those
// not: names that are not host names (a space, a control byte, a shell's
// $ or quote: the bottle chose them, and they could only be a tunnel or an
// attack on whoever reads the output), special-use names (invalid holds
// the sentry's readiness name) and public suffixes (allowing com allows
// everything under it). Each withheld item says why.
func withhold(names []Item) (fit, withheld []Item) {
	for _, it := range names {
		switch {
		case hostname.Check(it.Value) != nil:
			it.Why = notHostName
		case !hostname.Allowable(it.Value):
			it.Why = notAllowable
		case isSpecial(it.Value):
			it.Why = specialUse
		case hostname.PublicSuffix(it.Value):
			it.Why = publicSuffix
		default:
			fit = append(fit, it)
			continue
		}
		withheld = append(withheld, it)
	}
	return fit, withheld
}

// markUnfit says why the DNS guard's refusals are withheld: it refuses
// exactly the names that are not host names.
func markUnfit(items []Item) []Item {
	for i := range items {
		items[i].Why = notHostName
	}
	return items
}

func isSpecial(name string) bool { _, ok := hostname.SpecialUse(name); return ok }

// nameKey is how refused names are grouped: DNS names are case-blind and
// a final dot changes nothing. Only ASCII letters are folded, so the bytes
// of a name that is not a host name are shown as they came.
func nameKey(name string) string {
	b := []byte(strings.TrimSuffix(name, "."))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// safeItem is what a value line may hold inside single quotes: the bytes
// of host names, wildcards and CIDRs. Nothing in it is special to a shell
// within single quotes, nor to rbm's env-file parser.
var safeItem = regexp.MustCompile(`^[A-Za-z0-9._*:/-]+$`)

// assign renders KEY='a b c' from items, leaving out any item that is not
// safeItem (the live configuration cannot hold one: config check refuses
// it; a proposed name passed withhold).
func assign(key string, items []string) string {
	kept := items[:0:0]
	for _, s := range items {
		if safeItem.MatchString(s) {
			kept = append(kept, s)
		}
	}
	return key + "='" + strings.Join(kept, " ") + "'"
}
