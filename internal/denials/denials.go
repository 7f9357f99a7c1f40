// Package denials reads the packets the sentry's firewall refused from
// netfilter's log group (NFLOG for iptables, "log group" for nftables),
// over netlink. The kernel rate-limits what it sends (firewall.LogRate),
// so a bottle flooding forbidden addresses cannot flood the sentry.
package denials

import (
	"context"
	"fmt"
	"strings"
	"time"

	nflog "github.com/florianl/go-nflog/v2"

	"github.com/recipe-bottle/rbm/internal/firewall"
)

// Denial is one refused packet: the rule that refused it and the packet.
type Denial struct {
	Time time.Time
	Rule string // "rbm:fwd-drop": the log prefix, which is the rule's id
	Packet
}

// readBuffer is the netlink socket's receive buffer: a burst the kernel
// lets through fits (LogBurst per rule, a few hundred bytes each).
const readBuffer = 1 << 20

// Listen binds the sentry's log group in the current network namespace and
// calls fn for each denial until ctx ends. fn runs on the reader's
// goroutine and must not block. An error means nothing will be read (no
// nfnetlink_log in this kernel, or no CAP_NET_ADMIN).
func Listen(ctx context.Context, fn func(Denial)) error {
	nf, err := nflog.Open(&nflog.Config{
		Group:    firewall.LogGroup,
		Copymode: nflog.CopyPacket,
		Bufsize:  firewall.LogSnap,
		// One packet per message, pushed at once: the kernel otherwise
		// batches up to a second, and observe is a live view.
		QThresh: 1,
		Timeout: 1,
	})
	if err != nil {
		return fmt.Errorf("open netfilter log group %d: %w", firewall.LogGroup, err)
	}
	nf.Con.SetReadBuffer(readBuffer) // best effort: the default still works
	hook := func(a nflog.Attribute) int {
		if d, ok := decode(a); ok {
			fn(d)
		}
		return 0
	}
	// A full socket buffer (ENOBUFS) loses messages, not the reader: those
	// denials stay in the kernel's counters and are reported as suppressed.
	errFn := func(error) int { return 0 }
	if err := nf.RegisterWithErrorFunc(ctx, hook, errFn); err != nil {
		nf.Close()
		return fmt.Errorf("register on netfilter log group %d: %w", firewall.LogGroup, err)
	}
	context.AfterFunc(ctx, func() { nf.Close() })
	return nil
}

// decode keeps what rbm logged: a prefix naming one of its denials and an
// IPv4 packet.
func decode(a nflog.Attribute) (Denial, bool) {
	if a.Prefix == nil || a.Payload == nil {
		return Denial{}, false
	}
	rule := strings.TrimRight(*a.Prefix, "\x00")
	if !firewall.IsDenial(strings.TrimPrefix(rule, firewall.IDPrefix)) {
		return Denial{}, false
	}
	p, err := parseIPv4(*a.Payload)
	if err != nil {
		return Denial{}, false
	}
	t := time.Now()
	if a.Timestamp != nil && !a.Timestamp.IsZero() {
		t = *a.Timestamp
	}
	return Denial{Time: t.UTC(), Rule: rule, Packet: p}, true
}
