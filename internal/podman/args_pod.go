package podman

import (
	"fmt"
	"strconv"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
)

// netCaps are the only capabilities of the init and guard containers.
var netCaps = []string{"--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "--security-opt", "no-new-privileges"}

// Every container is created with --pull never: Preflight checks that the
// images exist and says how to build or pull them; a start fetches nothing.

// asRoot: in a keep-id pod (rootless, see podStep) a container without
// --user runs as the mapped user with no effective capability, and
// setting a route failed with "Operation not permitted"; root of the
// pod's user namespace holds NET_ADMIN over its network namespace.
func asRoot(rootless bool) []string {
	if rootless {
		return []string{"--user", "0:0"}
	}
	return nil
}

func netinitStep(cfg *config.Config, n engine.Names, rootless bool) engine.Step {
	args := []string{"create", "--pull", "never", "--pod", n.Pod, "--name", n.NetInit, "--label", n.Label(), "--init-ctr", "always"}
	args = append(append(append(args, asRoot(rootless)...), netCaps...), cfg.SentryImage)
	return engine.Step{
		Desc: fmt.Sprintf("init container %s: on every pod start, default route via %s, %s prohibited", n.NetInit, cfg.SentryIP, engine.BridgeIP(cfg.Subnet)),
		Cmd:  podman(append(args, engine.RouteArgs(cfg)...)...),
		Undo: podman("rm", "-f", "--ignore", n.NetInit),
	}
}

// guardStep: `podman pod restart` skips init containers (Podman 4.3); the
// guard is restarted with the pod and, being required by the bottle, first.
func guardStep(cfg *config.Config, n engine.Names, rootless bool) engine.Step {
	args := []string{"create", "--pull", "never", "--pod", n.Pod, "--name", n.NetGuard, "--label", n.Label(), "--stop-timeout", stopSeconds}
	args = append(append(append(args, asRoot(rootless)...), netCaps...), cfg.SentryImage)
	return engine.Step{
		Desc: fmt.Sprintf("guard %s: sets the same routes whenever the pod (re)starts, then holds no capability", n.NetGuard),
		Cmd:  podman(append(append(args, engine.RouteArgs(cfg)...), "--hold")...),
		Undo: podman("rm", "-f", "--ignore", "-t", stopSeconds, n.NetGuard),
	}
}

func bottleStep(cfg *config.Config, n engine.Names) engine.Step {
	uid := strconv.Itoa(cfg.BottleUID)
	args := []string{"create", "--pull", "never", "--pod", n.Pod, "--name", n.Bottle, "--label", n.Label(),
		"--requires", n.NetGuard, "--cap-drop", "ALL", "--user", uid + ":" + uid,
		"--security-opt", "no-new-privileges"}
	return engine.Step{
		Desc: fmt.Sprintf("bottle %s: user %s, no capabilities, no new privileges, requires the guard", n.Bottle, uid),
		Cmd:  podman(append(args, engine.BottleArgs(cfg)...)...),
		Undo: podman("rm", "-f", "--ignore", "-t", stopSeconds, n.Bottle),
	}
}

// podStartStep: only `podman pod start` runs init containers; `podman run
// --pod` would start the bottle without them.
func podStartStep(n engine.Names) engine.Step {
	return engine.Step{
		Desc: fmt.Sprintf("start pod %s: init container, then guard, then bottle", n.Pod),
		Kind: engine.Action,
		Cmd:  podman("pod", "start", n.Pod),
	}
}

func routeCheckStep(cfg *config.Config, n engine.Names) engine.Step {
	args := append([]string{"exec", n.NetGuard, "rbm"}, engine.RouteArgs(cfg)...)
	return engine.Step{
		Desc: "check the bottle's routes: only default via the sentry, bridge prohibited",
		Kind: engine.Action,
		Cmd:  podman(append(args, "--check")...),
	}
}
