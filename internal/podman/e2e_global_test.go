package podman_test

import (
	"context"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/probe"
	"github.com/recipe-bottle/rbm/internal/runtest"
)

// TestPodmanGlobalRefusesHostAndNeighbours attacks global egress under
// Podman with listeners that answer: a listener this test opens on the
// host's own address on the uplink bridge, and a neighbour container on the
// uplink (a stand-in web server). An ordinary container on the uplink
// reaches both, so a refusal is the sentry's; the bottle, with global
// egress, reaches a server beyond the uplink (the internet) but neither of
// those, and the rule that refused each is the one named for it.
func TestPodmanGlobalRefusesHostAndNeighbours(t *testing.T) {
	needPodman(t)
	if rootless {
		t.Skip("rootless: the uplink's .1 is not the host's (rootless netavark gives an internal network no gateway); the root run covers it")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	h := host{t: t, ctx: ctx}
	standInInternet(h)
	waitStandins(h)
	hostListener := runtest.ListenOn(t, upGateway)

	runtest.ReachableOn(ctx, t, "podman", upNet, bottleImage, testLabel, hostListener, otherIP+":80")

	s := startService(h, resolve(t, append(e2eConfig(t), "RBRN_UPLINK_ACCESS_GLOBAL=true", "RBRR_HOST_ADDRESSES="+upGateway)...))
	s.podman("exec", s.names.Sentry, "ip", "route", "add", "default", "via", deadEnd)
	runtest.GlobalRefusals(t, func(target string) probe.Result { return s.probe(tcp(target))[0] }, s.counters,
		learnedIP+":80", hostListener, otherIP+":80")
}
