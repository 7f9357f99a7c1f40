package docker

import (
	"fmt"
	"strconv"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
)

// holderStep: the namespace holder owns the bottle's address and network
// namespace. It sets the routes whenever it starts, then drops every
// capability and waits. A restarted holder has a new namespace, which
// the bottle joins when it is restarted in turn (until then it keeps the
// old one, which has only loopback): nothing ever starts with Docker's
// own default route.
func holderStep(cfg *config.Config, n engine.Names) engine.Step {
	args := []string{"run", "-d", "--pull", "never", "--name", n.NetGuard, "--label", n.Label(),
		"--network", n.Enclave, "--ip", cfg.BottleIP.String(), "--dns", cfg.SentryIP.String(),
		"--sysctl", "net.ipv6.conf.all.disable_ipv6=1", "--sysctl", "net.ipv6.conf.default.disable_ipv6=1",
		"--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "--security-opt", "no-new-privileges",
		"--stop-timeout", stopSeconds, cfg.SentryImage}
	args = append(append(args, engine.RouteArgs(cfg)...), "--hold")
	return engine.Step{
		Desc: fmt.Sprintf("namespace holder %s: the bottle's address %s, resolver %s, no IPv6; sets its routes on every start, then holds no capability",
			n.NetGuard, cfg.BottleIP, cfg.SentryIP),
		Cmd:  docker(args...),
		Undo: docker("rm", "-f", n.NetGuard),
	}
}

func routeCheckArgs(cfg *config.Config, n engine.Names) []string {
	return append(append([]string{"exec", n.NetGuard, "rbm"}, engine.RouteArgs(cfg)...), "--check")
}

// routeWaitStep: the bottle starts only once the holder has set the routes.
func routeWaitStep(cfg *config.Config, n engine.Names) engine.Step {
	return engine.Step{
		Desc:      "wait until the holder has set the routes: only default via the sentry, bridge prohibited",
		Kind:      engine.Poll,
		Cmd:       docker(routeCheckArgs(cfg, n)...),
		Container: n.NetGuard,
	}
}

func bottleStep(cfg *config.Config, n engine.Names) engine.Step {
	uid := strconv.Itoa(cfg.BottleUID)
	return engine.Step{
		Desc: fmt.Sprintf("bottle %s: in the holder's network namespace, user %s, no capabilities, no new privileges", n.Bottle, uid),
		Cmd: docker(append([]string{"run", "-d", "--pull", "never", "--name", n.Bottle, "--label", n.Label(),
			"--network", "container:" + n.NetGuard, "--cap-drop", "ALL", "--user", uid + ":" + uid,
			"--security-opt", "no-new-privileges"}, engine.BottleArgs(cfg)...)...),
		Undo: docker("rm", "-f", n.Bottle),
	}
}

func routeCheckStep(cfg *config.Config, n engine.Names) engine.Step {
	return engine.Step{
		Desc: "check the bottle's routes once more",
		Kind: engine.Action,
		Cmd:  docker(routeCheckArgs(cfg, n)...),
	}
}
