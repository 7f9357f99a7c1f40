package docker

import (
	"fmt"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
)

const stopSeconds = engine.StopSeconds

// enclaveStep: --internal (Docker adds no NAT and drops what would be
// routed off the bridge) and inhibit_ipv4, so the host holds no address on
// the enclave: the bottle finds nothing of the host there, as with Podman's
// --disable-dns network. The gateway Docker insists on is BridgeIP, which
// nobody holds; the bottle's routes prohibit it anyway.
func enclaveStep(cfg *config.Config, n engine.Names) engine.Step {
	return engine.Step{
		Network: true,
		Desc:    fmt.Sprintf("enclave network %s (%s): internal, the host holds no address on it, bridge %s", n.Enclave, cfg.Subnet, BridgeName(n.Moniker)),
		Cmd: docker("network", "create", "--internal", "--subnet", cfg.Subnet.String(),
			"--gateway", engine.BridgeIP(cfg.Subnet).String(),
			"-o", "com.docker.network.bridge.inhibit_ipv4=true",
			"-o", "com.docker.network.bridge.name="+BridgeName(n.Moniker),
			"--label", n.Label(), n.Enclave),
		Undo: docker("network", "rm", n.Enclave),
	}
}

// hostRule runs rbm netinit bridge-accept in the host's network namespace.
func hostRule(cfg *config.Config, n engine.Names, remove bool) []string {
	args := []string{"run", "--rm", "--pull", "never", "--network", "host", "--label", n.Label(),
		"--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "--cap-add", "NET_RAW", "--security-opt", "no-new-privileges",
		cfg.SentryImage, "netinit", "bridge-accept", "--bridge", BridgeName(n.Moniker), "--tag", Tag(n.Moniker)}
	if remove {
		args = append(args, "--remove")
	}
	return args
}

func bridgeStep(cfg *config.Config, n engine.Names) engine.Step {
	return engine.Step{
		Desc: fmt.Sprintf("host rule in DOCKER-USER: frames bridged within %s pass Docker's isolation rules (nothing routed)", BridgeName(n.Moniker)),
		Cmd:  docker(hostRule(cfg, n, false)...),
		Undo: docker(hostRule(cfg, n, true)...),
	}
}

// sentryStep creates the sentry on the enclave; Docker takes one network
// at create time, the uplink is connected next. The other options are the
// runtime-neutral engine.SentryArgs.
func sentryStep(cfg *config.Config, n engine.Names) engine.Step {
	args := []string{"create", "--pull", "never", "--name", n.Sentry, "--label", n.Label(),
		"--network", n.Enclave, "--ip", cfg.SentryIP.String()}
	args = append(args, engine.SentryArgs(cfg)...)
	return engine.Step{
		Desc: fmt.Sprintf("sentry %s: enclave address %s", n.Sentry, cfg.SentryIP),
		Cmd:  docker(append(args, cfg.SentryImage)...),
		Undo: docker("rm", "-f", n.Sentry),
	}
}

func uplinkStep(cfg *config.Config, n engine.Names) engine.Step {
	return engine.Step{
		Desc: fmt.Sprintf("connect the sentry to the uplink %s", cfg.UplinkNetwork),
		Kind: engine.Action,
		Cmd:  docker("network", "connect", cfg.UplinkNetwork, n.Sentry),
	}
}

func startSentryStep(n engine.Names) engine.Step {
	return engine.Step{Desc: "start the sentry", Kind: engine.Action, Cmd: docker("start", n.Sentry)}
}

// healthStep runs the health check itself: Docker has no `healthcheck
// run`, and its first scheduled check comes only one interval after start.
func healthStep(n engine.Names) engine.Step {
	return engine.Step{
		Desc:      "wait until the sentry is healthy (rules loaded, DNS answering)",
		Kind:      engine.Poll,
		Cmd:       docker("exec", n.Sentry, "rbm", "sentry", "ready"),
		Container: n.Sentry,
	}
}
