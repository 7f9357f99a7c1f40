package sentry

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/recipe-bottle/rbm/internal/dns"
	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/gate"
	"github.com/recipe-bottle/rbm/internal/policy"
)

// learnQueue bounds the additions waiting for their check: a bottle that
// resolves names faster than the sentry checks them loses checks (counted),
// never memory or DNS speed.
const learnQueue = 1024

// fullReportEvery spaces "learned set full" reports.
const fullReportEvery = 10 * time.Second

// saveEvery spaces rewrites of the names file: often enough for a person
// reading rbm counters, rarely enough for a bottle resolving in a loop.
const saveEvery = time.Second

// learning follows what dnsmasq adds to the learned set: which name each
// address was learned for (so a reload can forget the addresses of names
// no longer allowed), a refresh where the backend needs one, and a check
// that the address is really in the set (when the set is full it is not,
// and the sentry says so).
type learning struct {
	fw   firewall.Backend
	logf func(format string, args ...any)

	// kernelMu keeps a refresh from re-adding what forgetStale removes.
	kernelMu sync.Mutex

	mu      sync.Mutex
	parse   dns.LearnLog
	names   map[netip.Addr]dns.Learned
	limit   int
	dropped int
	dirty   bool   // names changed since last saved
	path    string // where names are saved for rbm counters ("": nowhere)

	work chan dns.Learned

	// answers keeps which names' answers carried which addresses, for the
	// name gate, as the DNS guard reports them (answered); lifetime is how
	// long each pair stays.
	answers  *gate.Answers
	lifetime time.Duration
	learns   bool // the policy learns: answers are recorded

	// onChecked hears of every addition once checked: opened false means
	// the set refused it (full). May be nil; set before run.
	onChecked func(d dns.Learned, opened bool)
}

func newLearning(fw firewall.Backend, p policy.Policy, path string, logf func(string, ...any)) *learning {
	return &learning{fw: fw, logf: logf, path: path, names: map[netip.Addr]dns.Learned{}, limit: max(p.Learn.Max, 1), work: make(chan dns.Learned, learnQueue),
		answers: gate.NewAnswers(answersMax(p)), lifetime: p.Learn.Lifetime, learns: p.Learns()}
}

// answersMax bounds the gate's name-address pairs: a few names per
// learned address, within fixed bounds.
func answersMax(p policy.Policy) int {
	return min(max(4*p.Learn.Max, 1024), 1<<20)
}

// line is dns.Supervisor's Lines hook: it must not block.
func (l *learning) line(text string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range l.parse.Line(text) {
		if d.Refused != "" {
			l.enqueue(d)
			continue
		}
		if _, known := l.names[d.Addr]; !known && len(l.names) >= l.limit {
			for a := range l.names { // the set cannot hold more either
				delete(l.names, a)
				break
			}
		}
		l.names[d.Addr] = d
		l.dirty = true
		l.enqueue(d)
	}
}

// enqueue hands d to run without blocking; l.mu is held.
func (l *learning) enqueue(d dns.Learned) {
	select {
	case l.work <- d:
	default:
		l.dropped++
	}
}

// run refreshes and checks additions until ctx ends.
func (l *learning) run(ctx context.Context) {
	var lastFull time.Time
	full := 0
	save := time.NewTicker(saveEvery)
	defer save.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-save.C:
			l.save()
		case d := <-l.work:
			refused := l.check(ctx, d)
			if l.onChecked != nil {
				l.onChecked(d, !refused)
			}
			if !refused {
				continue
			}
			full++
			if time.Since(lastFull) >= fullReportEvery {
				l.logf("learned set full (RBRN_UPLINK_LEARN_MAX=%d): %s (%s) stays closed; %d address(es) refused since the last report", l.limit, d.Addr, d.Name, full)
				lastFull, full = time.Now(), 0
			}
		}
	}
}

// check refreshes d's address and reports whether the set refused it
// (false: it is in the set, or was forgotten since, or the check failed).
func (l *learning) check(ctx context.Context, d dns.Learned) bool {
	if d.Refused != "" {
		return true
	}
	l.kernelMu.Lock()
	defer l.kernelMu.Unlock()
	l.mu.Lock()
	_, current := l.names[d.Addr]
	l.mu.Unlock()
	if !current {
		return false
	}
	// A full set makes Refresh fail too (nftables); Holds tells.
	if err := l.fw.Refresh(ctx, []netip.Addr{d.Addr}); err != nil && ctx.Err() == nil && !errors.Is(err, firewall.ErrLearnedFull) {
		l.logf("warning: refresh learned %s (%s): %v", d.Addr, d.Name, err)
	}
	held, err := l.fw.Holds(ctx, d.Addr)
	return err == nil && !held
}

// forgetStale removes from the learned set every address whose name p no
// longer allows, and every address of unknown origin (fail closed).
func (l *learning) forgetStale(ctx context.Context, p policy.Policy) error {
	l.kernelMu.Lock()
	defer l.kernelMu.Unlock()
	live, err := l.fw.Learned(ctx)
	if err != nil {
		return err
	}
	l.mu.Lock()
	var stale []netip.Addr
	for _, e := range live {
		d, ok := l.names[e.Addr]
		if !p.Learns() || !ok || !p.Resolves(d.Name) {
			stale = append(stale, e.Addr)
			delete(l.names, e.Addr)
			l.dirty = true
		}
	}
	l.limit = max(p.Learn.Max, 1)
	l.lifetime, l.learns = p.Learn.Lifetime, p.Learns()
	l.mu.Unlock()
	if len(stale) > 0 {
		l.logf("reload: forgetting %d learned address(es) of names no longer allowed", len(stale))
	}
	return l.fw.Forget(ctx, stale)
}

// learningText says whether and how allowed names open their addresses.
func learningText(p policy.Policy) string {
	if !p.Learns() {
		return "off"
	}
	return fmt.Sprintf("%s lifetime, at most %d addresses, %s", p.Learn.Lifetime, p.Learn.Max, p.GateText())
}
