package dns

import (
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/recipe-bottle/rbm/internal/events"
)

// upstreamPatience is how long a forwarded query may wait for its answer
// before it is reported as "upstream failed" (dnsmasq itself gives up and
// logs nothing per query).
const upstreamPatience = 5 * time.Second

// maxPending bounds the names waiting for an answer.
const maxPending = 4096

var (
	queryLine     = regexp.MustCompile(`^dnsmasq\[\d+\]: query\[(\S+)\] (\S+) from (\S+)$`)
	forwardedLine = regexp.MustCompile(`^dnsmasq\[\d+\]: forwarded (\S+) to \S+$`)
	answerLine    = regexp.MustCompile(`^dnsmasq\[\d+\]: (reply|cached|config) (\S+) is (.+)$`)
	rebindLine    = regexp.MustCompile(`^dnsmasq\[\d+\]: possible DNS-rebind attack detected: (\S+)$`)
)

// query is one question waiting for its verdict.
type query struct {
	ev        events.Event
	forwarded time.Time // zero until forwarded upstream
}

// QueryLog turns dnsmasq's log-queries lines into one DNS event per query
// from the bottle. dnsmasq logs a query, perhaps "forwarded", then the
// answer's records one per line ("reply a.test is <CNAME>", "reply b.test
// is 192.0.2.1", ...) or "config NAME is NXDOMAIN" for a name no server=
// line allows. Questions are matched to answers by name; an answer ends
// at the first line that is not one of its records. Not safe for
// concurrent use: feed it lines in order.
type QueryLog struct {
	// Ignore is a client whose queries are not the bottle's (the sentry's
	// own readiness checks come from its enclave address).
	Ignore netip.Addr
	// Resolved, when set, hears each address answered, with the name
	// asked, as soon as its record is read (before the answer is whole):
	// the bottle may connect the moment it has it.
	Resolved func(name string, addr netip.Addr)
	pending  map[string][]*query
	open     *query // the answer being read
	last     string // the name of its last record
	cname    bool   // that record was a CNAME: a new name continues the chain
}

// Line reads one line (without the "dnsmasq: " prefix) at time now and
// returns the events it completes.
func (q *QueryLog) Line(text string, now time.Time) []events.Event {
	if m := answerLine.FindStringSubmatch(text); m != nil {
		return q.answer(m[1], strings.ToLower(m[2]), m[3], now)
	}
	done := q.flush()
	if m := queryLine.FindStringSubmatch(text); m != nil {
		if a, err := netip.ParseAddr(m[3]); err == nil && a == q.Ignore {
			return done
		}
		name := strings.ToLower(m[2])
		if len(q.pending) >= maxPending {
			return done // a flood of unanswered names: bounded, not tracked
		}
		if q.pending == nil {
			q.pending = map[string][]*query{}
		}
		q.pending[name] = append(q.pending[name], &query{ev: events.Event{Time: now.UTC(), Kind: events.DNS, Client: m[3], Name: name, Type: m[1]}})
		return done
	}
	if m := forwardedLine.FindStringSubmatch(text); m != nil {
		for _, p := range q.pending[strings.ToLower(m[1])] {
			if p.forwarded.IsZero() {
				p.forwarded = now
				break
			}
		}
		return done
	}
	if m := rebindLine.FindStringSubmatch(text); m != nil {
		if p := q.take(strings.ToLower(m[1])); p != nil {
			p.ev.Verdict = events.RebindRefused
			done = append(done, p.ev)
		}
	}
	return done
}

// answer adds one answer record; the first record of an answer takes its
// question off the pending list.
func (q *QueryLog) answer(source, name, what string, now time.Time) []events.Event {
	var done []events.Event
	// Records of one answer share a name, or follow a CNAME to a new one;
	// any other name starts the next answer.
	if q.open != nil && name != q.last && !q.cname {
		done = q.flush()
	}
	if q.open == nil {
		p := q.take(name)
		if p == nil {
			return done // not a query we saw (the sentry's own)
		}
		q.open = p
		switch {
		case source == "config" && what == "NXDOMAIN":
			p.ev.Verdict = events.NotAllowed
		case source == "config":
			p.ev.Verdict = events.AnsweredLocally
		default:
			p.ev.Verdict = events.Answered
		}
	}
	if what != "<CNAME>" {
		q.open.ev.Answers = append(q.open.ev.Answers, what)
		if a, err := netip.ParseAddr(what); err == nil && q.Resolved != nil && q.open.ev.Verdict == events.Answered {
			q.Resolved(q.open.ev.Name, a)
		}
	}
	q.last, q.cname = name, what == "<CNAME>"
	return done
}

// take removes and returns the oldest pending question for name.
func (q *QueryLog) take(name string) *query {
	ps := q.pending[name]
	if len(ps) == 0 {
		return nil
	}
	if len(ps) == 1 {
		delete(q.pending, name)
	} else {
		q.pending[name] = ps[1:]
	}
	return ps[0]
}

// flush completes the answer being read, if any.
func (q *QueryLog) flush() []events.Event {
	if q.open == nil {
		return nil
	}
	e := q.open.ev
	q.open, q.last, q.cname = nil, "", false
	return []events.Event{e}
}

// Tick completes, at time now, the answer being read (its records came in
// one burst, so an idle log means it is whole) and the forwarded questions
// upstream never answered in time.
func (q *QueryLog) Tick(now time.Time) []events.Event {
	done := q.flush()
	for name, ps := range q.pending {
		rest := ps[:0]
		for _, p := range ps {
			switch {
			case !p.forwarded.IsZero() && now.Sub(p.forwarded) > upstreamPatience:
				p.ev.Verdict = events.UpstreamFailed
				done = append(done, p.ev)
			case now.Sub(p.ev.Time) > 4*upstreamPatience:
				// Never answered nor forwarded as far as the log says:
				// forget it rather than grow.
			default:
				rest = append(rest, p)
			}
		}
		if len(rest) == 0 {
			delete(q.pending, name)
		} else {
			q.pending[name] = rest
		}
	}
	return done
}
