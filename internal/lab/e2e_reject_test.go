package lab_test

import (
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/probe"
)

// TestE2EDenyReject: with RBRN_UPLINK_DENY=reject a forbidden TCP connect
// is refused by the sentry (a reset, well before any timeout), a forbidden
// UDP send and cloud metadata are answered unreachable, and the deciding
// rules count them; the denial is still reported.
func TestE2EDenyReject(t *testing.T) {
	forBackends(t, func(t *testing.T, be string) {
		tl := startLab(t, backendEnv(be)+"RBRN_UPLINK_DENY=reject\n")
		forbidden := tl.info.Addresses.Forbidden.String()
		o := tl.observe(t)

		r, d := tl.try(t, tcpSpec(forbidden+":443", passTimeout))
		wantBlocked(t, r, probe.Refused)
		if time.Duration(r.Elapsed) > time.Second {
			t.Errorf("the refusal took %v: it must not wait for a timeout", time.Duration(r.Elapsed))
		}
		wantMoved(t, d, "forbidden TCP", "fwd-drop", "reject-tcp")

		r, d = tl.try(t, probe.Spec{Kind: probe.KindUDP, Target: forbidden + ":443", Timeout: probe.Duration(passTimeout)})
		wantBlocked(t, r, probe.Unreachable)
		wantMoved(t, d, "forbidden UDP", "fwd-drop", "reject-other")

		r, d = tl.try(t, tcpSpec("169.254.169.254:80", passTimeout))
		wantBlocked(t, r, probe.Refused)
		wantMoved(t, d, "cloud metadata", "fwd-linklocal", "reject-tcp")
		wantNotMoved(t, d, "cloud metadata", "fwd-drop")

		o.await(t, time.Second, "the rejected metadata connect", func(e events.Event) bool {
			return e.Kind == events.Deny && e.Rule == "rbm:fwd-linklocal" && e.Dst == "169.254.169.254"
		})
	})
}
