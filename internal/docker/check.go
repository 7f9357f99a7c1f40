package docker

import (
	"context"
	"errors"
	"os/exec"
	"strings"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// MinVersion is the oldest Docker Engine rbm is tested with (Debian 12's).
var MinVersion = [2]int{20, 10}

// Check implements engine.Runtime: the daemon answers and is new enough,
// rootless or not, and the images exist.
func (Runtime) Check(ctx context.Context, r runner.Runner, cfg *config.Config, site *engine.Site, rep *engine.Report) bool {
	out, err := r.Run(ctx, docker("version", "--format", "{{.Server.Version}}"))
	switch {
	case runner.IsNotFound(err):
		rep.Problemf("docker not found: install Docker Engine %d.%d or newer (Debian: apt-get install docker.io)", MinVersion[0], MinVersion[1])
		return false
	case err != nil:
		rep.Problemf("the Docker daemon does not answer (%v); start it (systemctl start docker) or check DOCKER_HOST and your access to its socket", err)
		return false
	}
	v := strings.TrimSpace(string(out))
	if ok, err := engine.VersionAtLeast(v, MinVersion); err != nil || !ok {
		rep.Problemf("Docker Engine %s is too old or unknown: rbm needs %d.%d or newer", v, MinVersion[0], MinVersion[1])
		return false
	}
	rep.Infof("Docker Engine %s", v)
	if h, err := site.Host(ctx); err == nil && h.Rootless {
		rep.Infof("rootless Docker: not tested by rbm's CI (see docs/docker.md)")
	}
	for _, img := range []struct{ name, value string }{{"RBRR_SENTRY_IMAGE", cfg.SentryImage}, {"RBRN_BOTTLE_IMAGE", cfg.BottleImage}} {
		_, err := r.Run(ctx, docker("image", "inspect", "--format", "{{.Id}}", img.value))
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			rep.Problemf("%s=%s: image not found in Docker; %s", img.name, img.value, imageHint(img.name, img.value))
		case err != nil:
			rep.Problemf("docker image inspect %s: %v", img.value, err)
		}
	}
	return true
}

func imageHint(name, image string) string {
	if name == "RBRR_SENTRY_IMAGE" {
		return "build it: rbm image build --runtime docker --tag " + image
	}
	return "docker pull it, or copy it from Podman (podman save " + image + " | docker load)"
}
