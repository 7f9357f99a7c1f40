package podman

import (
	"context"
	"slices"
	"strings"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// Check implements engine.Runtime: Podman's version and mode, the images,
// and a pod left of this moniker.
func (Runtime) Check(ctx context.Context, r runner.Runner, cfg *config.Config, rep *engine.Report) bool {
	if !checkPodman(ctx, r, rep) {
		return false
	}
	checkMode(ctx, r, rep)
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
	ok, err := versionAtLeast(v, MinVersion)
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

func checkMode(ctx context.Context, r runner.Runner, rep *engine.Report) {
	out, err := r.Run(ctx, podman("info", "--format", "{{.Host.Security.Rootless}}"))
	switch {
	case err != nil:
		rep.Problemf("podman info: %v", err)
	case strings.TrimSpace(string(out)) == "true":
		rep.Infof("rootless Podman: not tested by rbm's CI (see docs/podman.md)")
	default:
		rep.Infof("rootful Podman (the mode rbm's CI tests)")
	}
}

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
