package podman

import (
	"context"
	"os"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Check implements engine.Runtime: Podman's version and mode, the images,
// and a pod left of this moniker.
func (Runtime) Check(ctx context.Context, r runner.Runner, cfg *config.Config, site *engine.Site, rep *engine.Report) bool {
	if !checkPodman(ctx, r, rep) {
		return false
	}
	checkMode(ctx, r, site, rep)
	checkImages(ctx, r, cfg, rep)
	n := engine.NamesFor(cfg.Moniker)
	pods, err := lines(ctx, r, "pod", "ps", "--format", "{{.Name}}")
	switch {
	case err != nil:
		rep.Problemf("%v", err)
	case slices.Contains(pods, n.Pod):
		rep.Problemf("RBRN_MONIKER=%s is in use (found pod %s); run `rbm stop --moniker %s` first", cfg.Moniker, n.Pod, cfg.Moniker)
	}
	return true
}

func checkPodman(ctx context.Context, r runner.Runner, rep *engine.Report) bool {
	v, err := Version(ctx, r)
	if err != nil {
		rep.Problemf("%v", err)
		return false
	}
	ok, err := engine.VersionAtLeast(v, MinVersion)
	switch {
	case err != nil:
		rep.Problemf("%v", err)
		return false
	case !ok:
		rep.Problemf("podman %s is too old: rbm needs %d.%d or newer (static IPs on two networks, pod init containers)", v, MinVersion[0], MinVersion[1])
		return false
	}
	rep.Infof("podman %s", v)
	return true
}

// checkMode reports rootful or rootless and the network backend, from the
// `podman info` the site read (once per command).
func checkMode(ctx context.Context, r runner.Runner, site *engine.Site, rep *engine.Report) {
	h, err := site.Host(ctx)
	if err != nil {
		rep.Problemf("%v", err)
		return
	}
	if h.Network != "" && h.Network != "netavark" {
		rep.Problemf("Podman's network backend is %s: rbm needs netavark (static addresses on two networks); set network_backend = \"netavark\" in containers.conf and `podman system reset`", h.Network)
	}
	if !h.Rootless {
		rep.Infof("rootful Podman, network backend %s (tested by rbm's CI)", h.Network)
		return
	}
	rep.Infof("rootless Podman, network backend %s (tested by rbm's CI as a dedicated user; see docs/podman.md)", h.Network)
	if !h.Remote { // a Podman machine's VM has its own runtime directory and tun device
		checkRootlessHost(ctx, r, rep)
	}
}

// checkRootlessHost names the two host settings rootless networking
// needs, which these symptoms would otherwise leave to Podman's errors.
func checkRootlessHost(ctx context.Context, r runner.Runner, rep *engine.Report) {
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir == "" {
		rep.Problemf("XDG_RUNTIME_DIR is not set: rootless Podman keeps its network namespace there (\"failed to mount runtime directory for rootless netns\"); log in through a session that sets it, or create /run/user/$(id -u) (owned by you, mode 0700) and export it")
	} else if _, err := r.Run(ctx, runner.Cmd{Name: "test", Args: []string{"-d", dir, "-a", "-w", dir}}); err != nil {
		rep.Problemf("XDG_RUNTIME_DIR=%s is not a directory you can write: create it (owned by you, mode 0700)", dir)
	}
	if _, err := r.Run(ctx, runner.Cmd{Name: "test", Args: []string{"-r", tunDevice, "-a", "-w", tunDevice}}); err != nil {
		rep.Problemf("%s cannot be opened by this user: slirp4netns, rootless Podman's way out, needs it; ask root for its usual mode (chmod 0666 %s)", tunDevice, tunDevice)
	}
}

// tunDevice is what slirp4netns opens.
const tunDevice = "/dev/net/tun"

func checkImages(ctx context.Context, r runner.Runner, cfg *config.Config, rep *engine.Report) {
	for _, img := range []struct{ name, value, hint string }{
		{"RBRR_SENTRY_IMAGE", cfg.SentryImage, "build it: rbm image build --tag " + cfg.SentryImage},
		{"RBRN_BOTTLE_IMAGE", cfg.BottleImage, bottleHint(cfg.BottleImage)},
	} {
		ok, err := exists(ctx, r, "image", "exists", img.value)
		switch {
		case err != nil:
			rep.Problemf("%v", err)
		case !ok:
			rep.Problemf("%s=%s: image not found; %s", img.name, img.value, img.hint)
		}
	}
}

func bottleHint(image string) string {
	if strings.HasPrefix(image, "localhost/") {
		return "build it (scripts/build-images.sh builds localhost/rbm-bottle:dev)"
	}
	return "pull it: podman pull " + image
}
