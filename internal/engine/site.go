package engine

import (
	"context"

	"github.com/recipe-bottle/rbm/internal/enginehost"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Site is where a runtime's containers run, read at most once per command:
// the engine's description (one `info`), its networks and the routes there
// (with the engine in a VM, one throwaway container). A start needs them to
// choose its subnet, in its preflight and to plan; reading them once saves a few
// tenths of a second per `info` and a container run on a Mac.
type Site struct {
	rt Runtime
	r  runner.Runner

	hostRead bool
	host     enginehost.Host
	hostErr  error

	netsRead bool
	nets     []Network
	netsErr  error

	routesRead  bool
	routesImage string
	routes      []hostRoute
	routesErr   error
}

// NewSite reads nothing yet: each part is read when first asked for.
func NewSite(rt Runtime, r runner.Runner) *Site { return &Site{rt: rt, r: r} }

// Host tells where the containers run (see Where); an error comes with
// this machine as the answer.
func (s *Site) Host(ctx context.Context) (enginehost.Host, error) {
	if !s.hostRead {
		s.host, s.hostErr = Where(ctx, s.rt, s.r)
		s.hostRead = true
	}
	return s.host, s.hostErr
}

// Runtime is the site's runtime planning for the engine as it runs there
// (ForHost: rootless Podman plans the pod's user namespace); an engine
// that cannot say is planned as on this machine.
func (s *Site) Runtime(ctx context.Context) Runtime {
	h, _ := s.Host(ctx)
	return ForHost(s.rt, h)
}

// Networks are the runtime's networks, as they were when first asked for.
func (s *Site) Networks(ctx context.Context) ([]Network, error) {
	if !s.netsRead {
		s.nets, s.netsErr = s.rt.Networks(ctx, s.r)
		s.netsRead = true
	}
	return s.nets, s.netsErr
}

// Routes are the IPv4 routes where the containers run, read with image
// when the engine is in a VM (see hostRoutes). A failed read is kept too:
// asking again in the same command would fail the same way.
func (s *Site) Routes(ctx context.Context, image string) ([]hostRoute, error) {
	if !s.routesRead || s.routesImage != image {
		h, _ := s.Host(ctx) // unknown: this machine, as before
		s.routes, s.routesErr = hostRoutes(ctx, s.r, s.rt, h, image)
		s.routesRead, s.routesImage = true, image
	}
	return s.routes, s.routesErr
}
