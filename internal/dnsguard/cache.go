package dnsguard

import (
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// cacheSize bounds the answers the guard keeps. A bottle asking random
// allowed names fills it and then only misses (forwarded as before);
// expired entries make room first.
const cacheSize = 4096

// cache keeps dnsmasq's positive answers so a repeated question is answered
// without the hop to dnsmasq, which costs as much as dnsmasq's whole answer
// (docs/performance.md). Only an answer dnsmasq gave is kept, and only
// until its smallest TTL runs out, counted from when dnsmasq gave it: the
// TTLs dnsmasq hands out are capped at half the learned lifetime, so no
// cached answer outlives the learned element that opens its address, as
// with dnsmasq's own cache. Emptied when the rules change (a reload).
// The zero value is empty and ready.
type cache struct {
	mu      sync.Mutex
	entries map[cacheKey]cacheEntry
	swept   time.Time // when a full cache last looked for expired entries
}

// cacheKey: a question as dnsmasq would tell two apart (names are
// case-insensitive; DO and CD change what an answer may hold).
type cacheKey struct {
	name          string
	qtype, qclass uint16
	do, cd        bool
}

type cacheEntry struct {
	reply   *dns.Msg // as dnsmasq sent it, with the guard's EDNS
	stored  time.Time
	expires time.Time
}

func keyOf(r *dns.Msg) cacheKey {
	q := r.Question[0]
	k := cacheKey{name: strings.ToLower(q.Name), qtype: q.Qtype, qclass: q.Qclass, cd: r.CheckingDisabled}
	if opt := r.IsEdns0(); opt != nil {
		k.do = opt.Do()
	}
	return k
}

// get answers r from the cache, or nil: a copy with r's id and question
// (its letters' case too) and every TTL lowered by the time kept.
func (c *cache) get(r *dns.Msg, now time.Time) *dns.Msg {
	k := keyOf(r)
	c.mu.Lock()
	e, ok := c.entries[k]
	if ok && !now.Before(e.expires) {
		delete(c.entries, k)
		ok = false
	}
	c.mu.Unlock()
	if !ok {
		return nil
	}
	m := e.reply.Copy()
	m.Id, m.Question, m.RecursionDesired = r.Id, []dns.Question{r.Question[0]}, r.RecursionDesired
	age := uint32(now.Sub(e.stored) / time.Second)
	for _, rr := range records(m) {
		rr.Header().Ttl -= age // expires is the smallest TTL: never below 1
	}
	return m
}

// put keeps reply, dnsmasq's answer to q, if it is a whole positive
// answer with a TTL; anything else is asked again next time.
func (c *cache) put(q, reply *dns.Msg, now time.Time) {
	if reply.Rcode != dns.RcodeSuccess || reply.Truncated || len(reply.Answer) == 0 ||
		len(reply.Question) != 1 || !strings.EqualFold(reply.Question[0].Name, q.Question[0].Name) {
		return
	}
	ttl := uint32(1<<31 - 1)
	for _, rr := range records(reply) {
		ttl = min(ttl, rr.Header().Ttl)
	}
	if ttl == 0 {
		return
	}
	k := keyOf(q)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = make(map[cacheKey]cacheEntry)
	}
	if len(c.entries) >= cacheSize && !c.makeRoom(now) {
		return
	}
	c.entries[k] = cacheEntry{reply: reply.Copy(), stored: now, expires: now.Add(time.Duration(ttl) * time.Second)}
}

// makeRoom drops expired entries; false if none had expired. A full
// cache looks at most once a second, so a flood of new names costs a map
// walk per second, not per query.
func (c *cache) makeRoom(now time.Time) bool {
	if now.Sub(c.swept) < time.Second {
		return false
	}
	c.swept = now
	n := len(c.entries)
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
	return len(c.entries) < n
}

func (c *cache) clear() {
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}

// records lists the records whose TTLs count: all but the OPT pseudo-record.
func records(m *dns.Msg) []dns.RR {
	out := make([]dns.RR, 0, len(m.Answer)+len(m.Ns)+len(m.Extra))
	out = append(out, m.Answer...)
	out = append(out, m.Ns...)
	for _, rr := range m.Extra {
		if _, ok := rr.(*dns.OPT); !ok {
			out = append(out, rr)
		}
	}
	return out
}
