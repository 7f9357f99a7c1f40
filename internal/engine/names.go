package engine

import (
	"fmt"
	"net/netip"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/netinit"
)

// LabelKey labels every object rbm creates with the service's moniker, so
// Stop can find them even after a half-failed start.
const LabelKey = "rbm.moniker"

// Names are the objects of one bottle service, all derived from its
// moniker.
type Names struct {
	Moniker string
	Enclave string // network between the sentry and the bottle
	Sentry  string // container
	Pod     string // Podman: the bottle's pod (its infra container holds the bottle's address)
	NetInit string // Podman: the pod's init container, sets the routes on every pod start
	// NetGuard sets the bottle's routes whenever it starts and checks them
	// for rbm status: Podman's guard in the pod, Docker's namespace holder
	// (the container whose network namespace the bottle joins).
	NetGuard string
	Bottle   string // container
}

// NamesFor returns the names of the objects of the service called moniker.
func NamesFor(moniker string) Names {
	return Names{
		Moniker:  moniker,
		Enclave:  moniker + "-enclave",
		Sentry:   moniker + "-sentry",
		Pod:      moniker + "-pod",
		NetInit:  moniker + "-netinit",
		NetGuard: moniker + "-netguard",
		Bottle:   moniker + "-bottle",
	}
}

// Label is the --label value marking an object as this service's.
func (n Names) Label() string { return LabelKey + "=" + n.Moniker }

// BridgeIP is the first host address of the subnet: the one Podman and Docker
// give the host's side of a bridge network. The bottle gets a prohibit route to it.
func BridgeIP(subnet netip.Prefix) netip.Addr {
	return subnet.Masked().Addr().Next()
}

// MAC is the fixed enclave MAC address of the host at a: 02:00 (locally
// administered, unicast) and the four bytes of a. A runtime would pick a new
// random one at every start; a fixed one keeps the neighbour caches on the
// enclave right when the sentry or the pod restarts, so the bottle's egress
// comes back at once instead of after the stale entry times out.
func MAC(a netip.Addr) string {
	b := a.As4()
	return fmt.Sprintf("02:00:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3])
}

// RouteArgs are the arguments of `rbm netinit` for this service.
func RouteArgs(cfg *config.Config) []string {
	return []string{"netinit", "--via", cfg.SentryIP.String(), "--block", BridgeIP(cfg.Subnet).String()}
}

// Routes is what the bottle's namespace must hold for cfg.
func Routes(cfg *config.Config) netinit.Routes {
	return netinit.Routes{Via: cfg.SentryIP, Block: BridgeIP(cfg.Subnet)}
}

// BottleArgs end the bottle's create (or run) command: its environment
// names (the runtime reads each value from rbm's environment: none is on
// this command line), working directory and mounts, the image, and the
// command: rbm run's keep-alive, or RBRN_BOTTLE_COMMAND as the whole argv
// (--entrypoint resets the image's entrypoint and command in both
// runtimes), or the image's own. Every value was checked by config.
func BottleArgs(cfg *config.Config) []string {
	var args []string
	b := cfg.Bottle
	for _, name := range b.Env {
		args = append(args, "-e", name)
	}
	if b.Workdir != "" {
		args = append(args, "-w", b.Workdir)
	}
	for _, v := range b.Volumes {
		args = append(args, "-v", v.Arg())
	}
	argv := b.Command
	if b.KeepAlive {
		argv = config.KeepAlive
	}
	if len(argv) == 0 {
		return append(args, cfg.BottleImage)
	}
	args = append(args, "--entrypoint="+argv[0], cfg.BottleImage)
	return append(args, argv[1:]...)
}
