// Package events is the sentry's record of what the bottle tried: one
// structured event per DNS query, denied connection, learned address and
// lifecycle step, written as JSON lines and kept in a bounded history that
// the host side reads over a unix socket.
package events

import (
	"fmt"
	"strings"
	"time"
)

// Kind says what an event is about.
type Kind string

// Kinds of events.
const (
	DNS        Kind = "dns"        // a query from the bottle and the resolver's verdict
	Deny       Kind = "deny"       // a new connection the firewall refused
	Learned    Kind = "learned"    // an address an allowed name opened
	Lifecycle  Kind = "lifecycle"  // the sentry became ready, reloaded, locked down...
	Suppressed Kind = "suppressed" // denials counted by the kernel but not logged (rate limit)
)

// DNS verdicts.
const (
	Answered        = "answered"          // the resolver answered (from upstream or cache)
	NotAllowed      = "not allowed"       // the name is outside the allowed domains: NXDOMAIN
	RebindRefused   = "rebinding refused" // upstream answered a private or metadata address
	UpstreamFailed  = "upstream failed"   // no answer from upstream in time
	AnsweredLocally = "answered locally"  // the sentry's own answer (no upstream asked)
	// NotHostName: the DNS guard refused a name with a byte other than a
	// letter, digit, '-' or '_' (REFUSED, never forwarded).
	NotHostName = "refused: not a host name"
)

// Lifecycle steps (Event.What of a Lifecycle event).
const (
	Ready              = "ready"
	Reloaded           = "reload"
	ReloadRefused      = "reload refused"
	DnsmasqRestart     = "dnsmasq restart"
	LockedDown         = "lockdown"
	Stopping           = "stopping"
	DenialsUnavailable = "denials unavailable"
)

// Event is one thing that happened. Fields not used by its Kind are empty
// and left out of its JSON.
type Event struct {
	Seq  uint64    `json:"seq"` // increasing within one sentry process
	Time time.Time `json:"time"`
	Kind Kind      `json:"kind"`

	// DNS: the query and its verdict. Name is also set on Deny (the name
	// that last resolved to Dst, if any) and Learned (the name asked for).
	Client  string   `json:"client,omitempty"`
	Name    string   `json:"name,omitempty"`
	Type    string   `json:"type,omitempty"`
	Verdict string   `json:"verdict,omitempty"`
	Answers []string `json:"answers,omitempty"`

	// Deny: the refused packet and the rule that refused it.
	Proto string `json:"proto,omitempty"`
	Src   string `json:"src,omitempty"`
	Dst   string `json:"dst,omitempty"`
	Port  uint16 `json:"port,omitempty"`
	Rule  string `json:"rule,omitempty"` // also on Suppressed

	// Learned: the address, the allowed domain that matched, and until when.
	Addr    string     `json:"addr,omitempty"`
	Domain  string     `json:"domain,omitempty"`
	Expires *time.Time `json:"expires,omitempty"`

	// Lifecycle: what happened ("ready", "reload", "reload refused",
	// "dnsmasq restart", "lockdown", "stopping") and the details.
	What   string `json:"what,omitempty"`
	Detail string `json:"detail,omitempty"`

	// Suppressed: how many denials of Rule went unlogged since the last report.
	Count uint64 `json:"count,omitempty"`

	// Repeats: on a refusal the history no longer holds one by one (a
	// flood pushed them out), how many more times it happened, from Time
	// on. The event stands for 1+Repeats refusals (Times).
	Repeats uint64 `json:"repeats,omitempty"`
}

// Times is how many occurrences e stands for.
func (e Event) Times() int { return int(1 + e.Repeats) }

// Text renders e as one line for a person: time, what, verdict, and the
// name beside every address, every field escaped (Escaped).
func (e Event) Text() string {
	s := e.Time.Local().Format("15:04:05.000") + " " + e.Escaped().body()
	if e.Repeats > 0 {
		s += fmt.Sprintf(" (and %d more times since, beyond the history)", e.Repeats)
	}
	return s
}

func (e Event) body() string {
	switch e.Kind {
	case DNS:
		s := fmt.Sprintf("dns     %s %s from %s: %s", e.Name, e.Type, e.Client, e.Verdict)
		if len(e.Answers) > 0 {
			s += " " + strings.Join(e.Answers, " ")
		}
		return s
	case Deny:
		dst := e.Dst
		if e.Port != 0 {
			dst = fmt.Sprintf("%s:%d", e.Dst, e.Port)
		}
		s := fmt.Sprintf("denied  %s %s", e.Proto, dst)
		if e.Name != "" {
			s += " (" + e.Name + ")"
		}
		return s + " by " + e.Rule
	case Learned:
		s := fmt.Sprintf("learned %s for %s", e.Addr, e.Name)
		if e.Verdict != "" {
			s += ": " + e.Verdict
		} else if e.Expires != nil {
			s += " until " + e.Expires.Local().Format("15:04:05")
		}
		return s
	case Suppressed:
		return fmt.Sprintf("quiet   %d more denials by %s were counted, not logged (rate limit)", e.Count, e.Rule)
	default:
		if e.Detail == "" {
			return "sentry  " + e.What
		}
		return "sentry  " + e.What + ": " + e.Detail
	}
}
