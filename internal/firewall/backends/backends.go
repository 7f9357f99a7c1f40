// Package backends maps RBRR_FIREWALL_BACKEND to a firewall.Backend. It is
// the only place that knows every backend, so adding one touches nothing
// else.
package backends

import (
	"context"
	"fmt"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/iptables"
	"github.com/recipe-bottle/rbm/internal/firewall/nftables"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Names lists the valid values of RBRR_FIREWALL_BACKEND, default first.
var Names = []string{iptables.Name, nftables.Name}

// New returns the backend called name, running its programs through r.
func New(name string, r runner.Runner) (firewall.Backend, error) {
	switch name {
	case iptables.Name:
		return iptables.Firewall{Runner: r}, nil
	case nftables.Name:
		return nftables.Firewall{Runner: r}, nil
	}
	return nil, fmt.Errorf("unknown firewall backend %q: expected one of %s", name, strings.Join(Names, ", "))
}

// Detect returns the backend whose rules rbm loaded in this namespace, for
// commands that read counters without the sentry's configuration
// (rbm counters, the lab, verify): nftables when table inet rbm exists,
// else the default backend (iptables), also when nft is not installed.
func Detect(ctx context.Context, r runner.Runner) firewall.Backend {
	if _, err := r.Run(ctx, runner.Cmd{Name: "nft", Args: []string{"list", "table", "inet", "rbm"}}); err == nil {
		return nftables.Firewall{Runner: r}
	}
	return iptables.Firewall{Runner: r}
}

// ForMarker is the backend a record names (a sentry's ready marker, a
// lab's info): with no name, as in a record written before backends were
// named, the one the namespace holds (Detect); a name rbm does not know is
// an error, not a guess. The one place this choice is made.
func ForMarker(ctx context.Context, name string, r runner.Runner) (firewall.Backend, error) {
	if name == "" {
		return Detect(ctx, r), nil
	}
	fw, err := New(name, r)
	if err != nil {
		return nil, fmt.Errorf("the record's firewall backend: %w", err)
	}
	return fw, nil
}

// Default is the backend used before a configuration names one (the
// lockdown of a sentry whose configuration did not load).
func Default(r runner.Runner) firewall.Backend { return iptables.Firewall{Runner: r} }
