package main

import (
	"cmp"
	"fmt"
	"os"
	"regexp"
	"slices"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/image"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/spf13/cobra"
)

var imageRef = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}$`)

func newImageCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "image", Short: "Build the sentry's container image"}
	var tag, base, rt string
	build := &cobra.Command{
		Use:   "build [--tag T] [--base B] [--runtime podman|docker]",
		Short: "Build the sentry image from this rbm binary (podman build or docker build)",
		Long: `Builds the sentry image with Podman or Docker (--runtime, default RBRR_RUNTIME
or podman) from the rbm binary running this command
(it must be static: CGO_ENABLED=0) and the Containerfile built into rbm:
Debian plus iptables, ipset, nftables, dnsmasq and iproute2, with rbm as the
entrypoint. The base is pulled only if it is not present; a base that already
has those packages needs no network. The pod's init and guard containers use
the same image. The tag is what RBRR_SENTRY_IMAGE names (its default here).`,
		Example: `  CGO_ENABLED=0 go install github.com/recipe-bottle/rbm/cmd/rbm@latest
  rbm image build
  rbm image build --tag localhost/rbm-sentry:v2 --base localhost/my-debian:bookworm
  rbm image build --runtime docker`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !slices.Contains(config.Runtimes, rt) {
				return &exitError{code: 2, err: fmt.Errorf("--runtime %q: expected one of %v", rt, config.Runtimes)}
			}
			for flag, v := range map[string]string{"--tag": tag, "--base": base} {
				if !imageRef.MatchString(v) {
					return &exitError{code: 2, err: fmt.Errorf("%s %q: expected an image reference such as localhost/rbm-sentry:dev", flag, v)}
				}
			}
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			if err := image.Static(exe); err != nil {
				return err
			}
			dir, err := os.MkdirTemp("", "rbm-image-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			if err := image.Context(dir, exe); err != nil {
				return fmt.Errorf("build context: %w", err)
			}
			proc, err := runner.Exec{}.Start(cmd.Context(), image.BuildCmd(rt, dir, tag, base), cmd.OutOrStdout(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if err := proc.Wait(); err != nil {
				return fmt.Errorf("%s build: %w", rt, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "built %s from %s\n", tag, exe)
			return nil
		},
	}
	build.Flags().StringVar(&tag, "tag", "localhost/rbm-sentry:dev", "the image to build (RBRR_SENTRY_IMAGE)")
	build.Flags().StringVar(&base, "base", image.DefaultBase, "the Debian image to build on")
	build.Flags().StringVar(&rt, "runtime", cmp.Or(os.Getenv("RBRR_RUNTIME"), config.Runtimes[0]), "the container runtime that builds it and will run it")
	cmd.AddCommand(build)
	return cmd
}
