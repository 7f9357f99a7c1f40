package main

import (
	"fmt"
	"net/netip"
	"os/signal"
	"syscall"

	"github.com/recipe-bottle/rbm/internal/netinit"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/spf13/cobra"
)

func newNetinitCmd() *cobra.Command {
	var via, block string
	var hold, check bool
	cmd := &cobra.Command{
		Use:   "netinit --via SENTRY_IP --block BRIDGE_IP",
		Short: "Route this network namespace through the sentry (run inside the bottle's pod)",
		Long: `Sets the default route via the sentry and a prohibit route to the host's
bridge address, with 'ip route replace' (running it again changes nothing),
then checks the result. rbm start runs it in the pod's init container and in
its guard container; both have NET_ADMIN, the bottle has none.

--hold then drops every capability and waits for SIGTERM: the bottle
requires the guard, so Podman sets the routes before the bottle on every
start and restart of the pod. --check only verifies the routes.`,
		Example: `  rbm netinit --via 10.242.0.2 --block 10.242.0.1
  podman exec bottle-netguard rbm netinit --via 10.242.0.2 --block 10.242.0.1 --check`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := parseRoutes(via, block)
			if err != nil {
				return err
			}
			return runNetinit(cmd, r, check, hold)
		},
	}
	cmd.Flags().StringVar(&via, "via", "", "the sentry's enclave address (the only gateway)")
	cmd.Flags().StringVar(&block, "block", "", "the host's bridge address on the enclave (made unreachable)")
	cmd.Flags().BoolVar(&hold, "hold", false, "after setting the routes, drop all capabilities and wait for SIGTERM")
	cmd.Flags().BoolVar(&check, "check", false, "only verify the routes; exit 1 when they are wrong")
	cmd.MarkFlagsMutuallyExclusive("hold", "check")
	cmd.AddCommand(newBridgeAcceptCmd())
	return cmd
}

func newBridgeAcceptCmd() *cobra.Command {
	var bridge, tag string
	var remove bool
	cmd := &cobra.Command{
		Use:   "bridge-accept --bridge NAME --tag TAG [--remove]",
		Short: "Let the enclave's own frames cross Docker's isolation rules (run in the host's network namespace)",
		Long: `Adds to the host's DOCKER-USER chain one rule accepting frames bridged within
the enclave's bridge (in and out on that bridge, nothing routed), marked with
TAG; --remove deletes it. Docker drops every frame of an --internal network
whose destination is off its subnet when bridged frames cross iptables, which
would drop the bottle's traffic to the sentry. rbm start runs it for Docker
in a throwaway container with --network host and NET_ADMIN.`,
		Example: "  rbm netinit bridge-accept --bridge rbm-1a2b3c4d --tag rbm.moniker=notebook",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := netinit.BridgeAccept(cmd.Context(), runner.Exec{}, bridge, tag, remove); err != nil {
				return err
			}
			verb := "accepted"
			if remove {
				verb = "no longer accepted"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "frames bridged within %s: %s (%s)\n", bridge, verb, tag)
			return nil
		},
	}
	cmd.Flags().StringVar(&bridge, "bridge", "", "the enclave's bridge interface on the host")
	cmd.Flags().StringVar(&tag, "tag", "", "the rule's comment, which names the service")
	cmd.Flags().BoolVar(&remove, "remove", false, "delete the rule instead")
	return cmd
}

func parseRoutes(via, block string) (netinit.Routes, error) {
	v, err := netip.ParseAddr(via)
	if err != nil {
		return netinit.Routes{}, fmt.Errorf("--via %q: expected an IPv4 address", via)
	}
	b, err := netip.ParseAddr(block)
	if err != nil {
		return netinit.Routes{}, fmt.Errorf("--block %q: expected an IPv4 address", block)
	}
	return netinit.Routes{Via: v, Block: b}, nil
}

func runNetinit(cmd *cobra.Command, r netinit.Routes, check, hold bool) error {
	ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if check {
		if err := netinit.Check(ctx, runner.Exec{}, r); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "ok: default via %s, %s prohibited\n", r.Via, r.Block)
		return nil
	}
	if err := netinit.Apply(ctx, runner.Exec{}, r); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "routes set: default via %s, %s prohibited\n", r.Via, r.Block)
	if !hold {
		return nil
	}
	return netinit.Hold(ctx)
}
