package engine

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/subnet"
)

// AutoSubnet gives a configuration that leaves the enclave unset
// (config.EnclaveUnset) the first /24 of config.SubnetPool that overlaps
// no network of rt, no host route and not the resolver. With lockPath set
// it first takes that lock, so two starts at once choose two subnets: call
// release once the enclave network exists (Options.NetworkCreated) or the
// start ended. A configuration with an enclave comes back as it is. site
// is where rt's containers run (the same one the preflight then reads).
func AutoSubnet(ctx context.Context, site *Site, cfg *config.Config, lockPath string) (_ *config.Config, release func(), err error) {
	release = func() {}
	if !cfg.EnclaveUnset() {
		return cfg, release, nil
	}
	if lockPath != "" {
		if release, err = subnet.Lock(ctx, lockPath); err != nil {
			return nil, nil, err
		}
		defer func() {
			if err != nil {
				release()
			}
		}()
	}
	taken, err := site.Taken(ctx, cfg.SentryImage)
	if err != nil {
		return nil, nil, err
	}
	if cfg.DNSServer.IsValid() {
		taken = append(taken, netip.PrefixFrom(cfg.DNSServer, 32))
	}
	pfx, err := subnet.Choose(config.SubnetPool, taken)
	if err != nil {
		return nil, nil, fmt.Errorf("RBRR_POD_SUBNET is unset: %w", err)
	}
	next, err := cfg.WithSubnet(pfx, fmt.Sprintf("chosen: the first free /%d of %s", subnet.Size, config.SubnetPool))
	if err != nil {
		return nil, nil, err
	}
	return next, release, nil
}

// Taken lists the IPv4 subnets rt's networks use and the routes where its
// containers run (without the default route): what a new enclave must not
// overlap. With the engine in a VM those are the VM's routes, read through
// a container of image.
func (s *Site) Taken(ctx context.Context, image string) ([]netip.Prefix, error) {
	nets, err := s.Networks(ctx)
	if err != nil {
		return nil, err
	}
	var taken []netip.Prefix
	for _, n := range nets {
		taken = append(taken, n.Prefixes()...)
	}
	routes, err := s.Routes(ctx, image)
	if err != nil {
		return nil, fmt.Errorf("read the routes where the containers run, to choose a free subnet: %w", err)
	}
	for _, hr := range routes {
		if p, ok := parseDst(hr.Dst); ok {
			taken = append(taken, p)
		}
	}
	return taken, nil
}
