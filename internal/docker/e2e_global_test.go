package docker_test

import (
	"context"
	"testing"
	"time"

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

	runtest.ReachableOn(ctx, t, "docker", upNet, bottleImage, testLabel, hostListener, otherIP+":80")

	s := startService(h, e2eConfig(t, "RBRN_UPLINK_ACCESS_GLOBAL=true"))
	s.docker("exec", s.names.Sentry, "ip", "route", "replace", farSubnet, "via", learnedNear)
	runtest.GlobalRefusals(t, func(target string) probe.Result { return s.probe(tcp(target))[0] }, s.counters,
		learnedIP+":80", hostListener, otherIP+":80")
}
