package main

import (
	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/hostaddr"
)

// findHostAddrs sets RBRR_HOST_ADDRESSES to the host's addresses as they
// are now, for rbm start and rbm reload: the sentry refuses them to global
// egress and learned answers, and a laptop that changed networks is
// covered after a reload.
func findHostAddrs(cfg *config.Config) error {
	as, err := hostaddr.Find(hostaddr.System())
	if err != nil {
		return err
	}
	return cfg.SetHostAddrs(as)
}
