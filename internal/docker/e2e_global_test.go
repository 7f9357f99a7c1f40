package docker_test

import (
	"context"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/runtest"
)

// TestDockerGlobalRefusesHostAndNeighbours attacks global egress under
// Docker with listeners that answer: one this test opens on the host's own
// address on the uplink bridge, and a neighbour container on the uplink (a
// stand-in web server). An ordinary container on the uplink reaches both,
// so a refusal is the sentry's; the bottle, with global egress, reaches a
// server beyond the uplink but neither of those, and the rule named for
// each counts it.
func TestDockerGlobalRefusesHostAndNeighbours(t *testing.T) {
	needDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	h := host{t: t, ctx: ctx}
	standInInternet(h)
	hostListener := runtest.ListenOn(t, hostAddr)

	neighbour, err := runtest.ProbeOn(ctx, "docker", upNet, bottleImage, testLabel, tcp(hostListener), tcp(otherIP+":80"))
	if err != nil {
		t.Fatal(err)
	}
	for i, what := range []string{"the host's listener", "the neighbour container"} {
		if neighbour[i].Outcome != probe.Connected {
			t.Fatalf("an ordinary container on the uplink does not reach %s (%s: %s): the test proves nothing", what, neighbour[i].Outcome, neighbour[i].Detail)
		}
	}

	s := startService(h, e2eConfig(t, "RBRN_UPLINK_ACCESS_GLOBAL=true"))
	s.docker("exec", s.names.Sentry, "ip", "route", "replace", farSubnet, "via", learnedNear)
	for _, c := range []struct {
		what, target string
		reach        bool
		rule         string
	}{
		{"a server beyond the uplink (the internet)", learnedIP + ":80", true, policy.RuleAllowGlobal},
		{"the host's own address", hostListener, false, policy.HostRule},
		{"a neighbour container on the uplink", otherIP + ":80", false, policy.GlobalUplink},
	} {
		before := s.counters()
		r := s.probe(tcp(c.target))[0]
		d := s.counters().Delta(before)
		if (r.Outcome == probe.Connected) != c.reach {
			t.Errorf("%s (%s) from the bottle: %s %s; want reached=%v", c.what, c.target, r.Outcome, r.Detail, c.reach)
		}
		if d.Rules[firewall.IDPrefix+c.rule].Packets == 0 {
			t.Errorf("%s: %s did not count (moved: %v)", c.what, c.rule, d.Moved())
		}
	}
}
