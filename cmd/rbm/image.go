package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
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
	var tag, base, rt, rbmPath string
	build := &cobra.Command{
		Use:   "build [--tag T] [--base B] [--runtime podman|docker] [--rbm PATH]",
		Short: "Build the sentry image with a Linux rbm (podman build or docker build)",
		Long: `Builds the sentry image with Podman or Docker (--runtime, default RBRR_RUNTIME
or podman) from a static Linux rbm of the engine's architecture (podman info,
docker info) and the Containerfile built into rbm. The rbm is the one given
with --rbm; else the binary running this command when it is one; else one
built with the local Go toolchain (GOOS=linux CGO_ENABLED=0) from the module
version rbm was installed from, or, for a development build, from the source
tree in the working directory (on macOS, see docs/macos.md). The image is:
Debian plus iptables, ipset, nftables, dnsmasq and iproute2, with rbm as the
entrypoint. The base is pulled only if it is not present; a base that already
has those packages needs no network. The pod's init and guard containers use
the same image. The tag is what RBRR_SENTRY_IMAGE names (its default here).`,
		Example: `  CGO_ENABLED=0 go install github.com/recipe-bottle/rbm/cmd/rbm@latest
  rbm image build
  rbm image build --tag localhost/rbm-sentry:v2 --base localhost/my-debian:bookworm
  rbm image build --runtime docker
  rbm image build --rbm ./rbm-linux-arm64`,
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
			return buildSentryImage(cmd.Context(), rt, rbmPath, tag, base, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	build.Flags().StringVar(&rbmPath, "rbm", "", "a static Linux rbm of the engine's architecture to put into the image")
	build.Flags().StringVar(&tag, "tag", "localhost/rbm-sentry:dev", "the image to build (RBRR_SENTRY_IMAGE)")
	build.Flags().StringVar(&base, "base", image.DefaultBase, "the Debian image to build on")
	build.Flags().StringVar(&rt, "runtime", cmp.Or(os.Getenv("RBRR_RUNTIME"), config.Runtimes[0]), "the container runtime that builds it and will run it")
	cmd.AddCommand(build)
	return cmd
}

// buildSentryImage builds tag on base with runtime rt (podman or docker)
// from the Linux rbm imageBinary chooses, the build's output going to out
// and errw.
func buildSentryImage(ctx context.Context, rt, rbmPath, tag, base string, out, errw io.Writer) error {
	scratch, err := os.MkdirTemp("", "rbm-binary-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	exe, err := imageBinary(ctx, rt, rbmPath, scratch)
	if err != nil {
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
	proc, err := runner.Exec{}.Start(ctx, image.BuildCmd(rt, dir, tag, base), out, errw)
	if err != nil {
		return err
	}
	if err := proc.Wait(); err != nil {
		return fmt.Errorf("%s build: %w", rt, err)
	}
	fmt.Fprintf(out, "built %s from %s\n", tag, exe)
	return nil
}

// imageBinary is the Linux rbm for the image (image.Binary) of the engine
// behind cli; one it builds goes into scratch.
func imageBinary(ctx context.Context, cli, given, scratch string) (string, error) {
	eng, err := image.EnginePlatform(ctx, runner.Exec{}, cli)
	if err != nil {
		return "", err
	}
	self, err := image.Current()
	if err != nil {
		return "", err
	}
	tree, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return image.Binary(ctx, runner.Exec{}, self, eng, given, tree, scratch)
}
