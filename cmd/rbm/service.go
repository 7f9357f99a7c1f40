package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/subnet"
	"github.com/spf13/cobra"
)

// startTimeout bounds a whole `rbm start` (images are local; nothing is pulled).
const startTimeout = 5 * time.Minute

func newPlanCmd() *cobra.Command {
	var f configFlags
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Print the podman or docker commands that start this bottle service (nothing is run)",
		Long: `Prints, in order, every command of the container runtime (RBRR_RUNTIME:
podman or docker) rbm start would run for this configuration, each with a
one-line comment. The output can be pasted into a
shell. Nothing is checked or created; rbm start also runs a preflight.`,
		Example: "  rbm plan --regime regime.env --nameplate notebook.env\n  RBRR_RUNTIME=docker rbm plan --nameplate notebook.env",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.load(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			rt, err := configRuntime(cfg)
			if err != nil {
				return err
			}
			// What rbm start would choose now; nothing holds it.
			site := engine.NewSite(rt, runner.Exec{})
			cfg, _, err = engine.AutoSubnet(cmd.Context(), site, cfg, "")
			if err != nil {
				return err
			}
			// As rbm start would plan it on this engine (rootless Podman
			// differs); an engine that cannot say is planned rootful.
			steps, err := site.Runtime(cmd.Context()).Plan(cfg)
			if err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), engine.String(steps))
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

func newStartCmd() *cobra.Command {
	var f configFlags
	var healthTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Check the host, then create and start the bottle service with Podman or Docker",
		Long: `Runs a preflight (the runtime's version, rootful or rootless, subnet
overlaps with its networks and host routes, the workstation port, images,
leftovers of this moniker) and stops if anything is wrong, listing every
problem. Then runs the steps of rbm plan, printing each, and waits for the
sentry to be healthy before the bottle is created. If a step fails, rbm says which and
removes what it had created.`,
		Example: "  rbm start --regime regime.env --nameplate notebook.env",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.load(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), startTimeout)
			defer cancel()
			return startService(ctx, cmd.OutOrStdout(), cfg, healthTimeout)
		},
	}
	f.register(cmd)
	cmd.Flags().DurationVar(&healthTimeout, "health-timeout", 90*time.Second, "how long the sentry may take to become healthy")
	return cmd
}

func startService(ctx context.Context, out io.Writer, cfg *config.Config, healthTimeout time.Duration) error {
	rt, err := configRuntime(cfg)
	if err != nil {
		return err
	}
	// Held from the choice until the enclave network exists, so two starts
	// at once choose two subnets.
	site := engine.NewSite(rt, runner.Exec{})
	cfg, release, err := engine.AutoSubnet(ctx, site, cfg, subnet.LockPath())
	if err != nil {
		return err
	}
	defer release()
	fmt.Fprintln(out, "enclave:", cfg.EnclaveText(), "("+cfg.Settings["RBRR_POD_SUBNET"].Origin+")")
	if err := findHostAddrs(cfg); err != nil {
		return err
	}
	fmt.Fprintln(out, "upstream resolver:", cfg.ResolverText())
	rep := engine.Preflight{Runtime: rt, Runner: runner.Exec{}, Site: site}.Check(ctx, cfg)
	for _, line := range rep.Info {
		fmt.Fprintln(out, "preflight:", line)
	}
	if err := rep.Err(); err != nil {
		return err
	}
	return engine.Start(ctx, site.Runtime(ctx), runner.Exec{}, cfg, engine.Options{Out: out, HealthTimeout: healthTimeout, NetworkCreated: release})
}
