package iptables

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// setState is what "ipset save" shows of rbm's sets.
type setState struct {
	allowed map[netip.Prefix]firewall.Counter
	learned []firewall.Learned
}

// readSets reads every rbm set with one "ipset save". No ipset program
// means no sets (a sentry image without ipset cannot have loaded any).
func readSets(ctx context.Context, r runner.Runner) (setState, error) {
	out, err := r.Run(ctx, runner.Cmd{Name: "ipset", Args: []string{"save"}})
	if runner.IsNotFound(err) {
		return setState{}, nil
	}
	if err != nil {
		return setState{}, fmt.Errorf("read sets: %w", err)
	}
	return parseSets(string(out))
}

// parseSets reads "add SET ELEM [timeout N] [packets P bytes B]" lines of
// rbm's allowed and learned sets; other lines and sets are skipped.
func parseSets(text string) (setState, error) {
	st := setState{allowed: map[netip.Prefix]firewall.Counter{}}
	for i, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || f[0] != "add" || (f[1] != setAllowed && f[1] != setLearned) {
			continue
		}
		opts := map[string]uint64{}
		for j := 3; j+1 < len(f); j += 2 {
			n, err := strconv.ParseUint(f[j+1], 10, 64)
			if err != nil {
				return setState{}, fmt.Errorf("ipset save line %d %q: %s: %w", i+1, line, f[j], err)
			}
			opts[f[j]] = n
		}
		c := firewall.Counter{Packets: opts["packets"], Bytes: opts["bytes"]}
		if f[1] == setAllowed {
			pfx, err := parseElem(f[2])
			if err != nil {
				return setState{}, fmt.Errorf("ipset save line %d %q: %w", i+1, line, err)
			}
			st.allowed[pfx] = c
			continue
		}
		a, err := netip.ParseAddr(f[2])
		if err != nil {
			return setState{}, fmt.Errorf("ipset save line %d %q: %w", i+1, line, err)
		}
		st.learned = append(st.learned, firewall.Learned{Addr: a, Expires: time.Duration(opts["timeout"]) * time.Second, Counter: c})
	}
	return st, nil
}

// parseElem reads a hash:net element: "203.0.113.0/24", or a bare address
// for a /32.
func parseElem(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return netip.PrefixFrom(a, 32), nil
	}
	return netip.ParsePrefix(s)
}

// addTo puts the element counters into s under their shared ids.
func (st setState) addTo(s firewall.Snapshot) {
	for pfx, c := range st.allowed {
		s.Rules[idPrefix+firewall.AllowID(pfx)] = c
	}
	for _, l := range st.learned {
		s.Rules[idPrefix+firewall.LearnedID(l.Addr)] = l.Counter
	}
}
