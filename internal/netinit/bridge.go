package netinit

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// DockerUserChain is where Docker lets users put host rules ahead of its own.
const DockerUserChain = "DOCKER-USER"

var (
	bridgeRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,15}$`)
	tagRE    = regexp.MustCompile(`^[A-Za-z0-9_.=:-]{1,64}$`)
)

// BridgeAccept adds to the host's DOCKER-USER chain (or, with remove,
// deletes from it) one rule accepting frames bridged within bridge, marked
// with the comment tag. On a host where bridged frames cross iptables
// (bridge-nf-call-iptables=1, which Docker sets), Docker's isolation rules
// for an --internal network drop every frame whose IP destination is off
// the subnet, even one sent to the sentry's MAC: this rule lets the
// enclave's own frames reach the sentry, and nothing routed (its in and out
// interface are the same bridge). Adding twice adds one rule.
func BridgeAccept(ctx context.Context, r runner.Runner, bridge, tag string, remove bool) error {
	if !bridgeRE.MatchString(bridge) {
		return fmt.Errorf("bridge %q: expected an interface name (1 to 15 letters, digits, '_', '.', '-')", bridge)
	}
	if !tagRE.MatchString(tag) {
		return fmt.Errorf("tag %q: expected 1 to 64 letters, digits or '_.=:-'", tag)
	}
	ipt, err := dockerIptables(ctx, r)
	if err != nil {
		return err
	}
	rule := []string{DockerUserChain, "-i", bridge, "-o", bridge, "-m", "comment", "--comment", tag, "-j", "ACCEPT"}
	has := func() bool { _, err := r.Run(ctx, iptCmd(ipt, "-C", rule)); return err == nil }
	if remove {
		for i := 0; i < 16 && has(); i++ {
			if _, err := r.Run(ctx, iptCmd(ipt, "-D", rule)); err != nil {
				return fmt.Errorf("remove the %s rule for %s: %w", DockerUserChain, bridge, err)
			}
		}
		return nil
	}
	if has() {
		return nil
	}
	if _, err := r.Run(ctx, iptCmd(ipt, "-I", rule)); err != nil {
		return fmt.Errorf("add the %s rule for %s: %w", DockerUserChain, bridge, err)
	}
	return nil
}

func iptCmd(ipt, op string, rule []string) runner.Cmd {
	return runner.Cmd{Name: ipt, Args: append([]string{"-w", "5", op}, rule...)}
}

// dockerIptables finds the iptables flavour holding Docker's chain: the
// host's dockerd may use nf_tables or legacy, and this image has both.
func dockerIptables(ctx context.Context, r runner.Runner) (string, error) {
	var errs []error
	for _, ipt := range []string{"iptables-nft", "iptables-legacy", "iptables"} {
		_, err := r.Run(ctx, runner.Cmd{Name: ipt, Args: []string{"-w", "5", "-S", DockerUserChain}})
		if err == nil {
			return ipt, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", ipt, err))
	}
	return "", fmt.Errorf("no %s chain in the host's iptables (is dockerd running with its iptables rules?): %w", DockerUserChain, errors.Join(errs...))
}
