package verify

import (
	"context"
	"fmt"

	"github.com/miekg/dns"

	"github.com/recipe-bottle/rbm/internal/probe"
)

// UpstreamCounter is a Backend that can also see the upstream resolver's
// own count of queries by name (the lab's stand-in can; a real upstream
// cannot).
type UpstreamCounter interface {
	UpstreamQueries(ctx context.Context, name string) (int, error)
}

// observe reads what the stand-ins have seen so far, as far as e needs it
// and the backend can tell. Before a case the foreign count is always read
// (a stand-in that stopped answering ends the battery at once); after it,
// only when e judges it.
func observe(ctx context.Context, b Backend, e Expect, after bool) (witness, error) {
	var w witness
	if !after || e.ForeignUntouched {
		n, canSee, err := b.ForeignQueries(ctx)
		if err != nil {
			return w, fmt.Errorf("read the foreign resolver's count: %w", err)
		}
		if canSee {
			w.foreign = n
		}
	}
	if uc, ok := b.(UpstreamCounter); ok && e.Upstream != nil {
		var err error
		if w.upstream, err = uc.UpstreamQueries(ctx, e.Upstream.Name); err != nil {
			return w, fmt.Errorf("read the upstream resolver's count: %w", err)
		}
		w.seen = true
	}
	return w, nil
}

// since is what was seen between w0 and w.
func (w witness) since(w0 witness) witness {
	return witness{foreign: w.foreign - w0.foreign, upstream: w.upstream - w0.upstream, seen: w.seen && w0.seen}
}

// upstreamState says whether the upstream answered a forwarded query: the
// sentry stays ready without it (its readiness never asks upstream), so a
// silent upstream is reported, not judged.
func upstreamState(r probe.Result) string {
	switch {
	case r.Outcome != probe.Answered:
		return fmt.Sprintf("the sentry's resolver did not answer (%s): is the sentry running DNS?", r.Outcome)
	case r.Rcode == dns.RcodeToString[dns.RcodeServerFailure]:
		return "the upstream resolver does not answer (SERVFAIL): no allowed name resolves; containment is unaffected"
	}
	return "the upstream resolver answers (" + r.Rcode + ")"
}

// SentryProber is a Backend that can also probe from the sentry's own
// namespace, with the sentry's privileges.
type SentryProber interface {
	ProbeFromSentry(ctx context.Context, s probe.Spec) (probe.Result, error)
}

// probeCase runs c's probe where c says.
func probeCase(ctx context.Context, b Backend, c Case) (probe.Result, error) {
	if !c.FromSentry {
		return b.Probe(ctx, c.Spec)
	}
	sp, ok := b.(SentryProber)
	if !ok {
		return probe.Result{}, fmt.Errorf("this backend cannot probe from the sentry")
	}
	return sp.ProbeFromSentry(ctx, c.Spec)
}
