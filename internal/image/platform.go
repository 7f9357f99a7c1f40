package image

import (
	"fmt"
	"strings"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// Platform is the OS and architecture (GOARCH names) of the containers an
// engine runs: on macOS that is its Linux VM's, not the Mac's.
type Platform struct {
	OS, Arch string
}

func (p Platform) String() string { return p.OS + "/" + p.Arch }

// infoFormats ask each engine's info for its OS and architecture.
var infoFormats = map[string]string{
	"podman": "{{.Host.OS}}/{{.Host.Arch}}",
	"docker": "{{.OSType}}/{{.Architecture}}",
}

// InfoCmd asks cli (podman or docker) for the platform its containers run on.
func InfoCmd(cli string) runner.Cmd {
	return runner.Cmd{Name: cli, Args: []string{"info", "--format", infoFormats[cli]}}
}

// goArch maps what engines report to GOARCH: Podman says amd64/arm64,
// Docker says what uname -m says. Only these two are built for.
var goArch = map[string]string{"amd64": "amd64", "x86_64": "amd64", "arm64": "arm64", "aarch64": "arm64"}

// ParsePlatform reads InfoCmd's output. The sentry needs a Linux engine of
// an architecture rbm is built for; anything else is an error that says so.
func ParsePlatform(cli string, out []byte) (Platform, error) {
	s := strings.TrimSpace(string(out))
	osName, arch, ok := strings.Cut(s, "/")
	if !ok || len(s) > 64 {
		return Platform{}, fmt.Errorf("%s info: got %q, expected OS/ARCH such as linux/arm64", cli, clip(s))
	}
	if osName != "linux" {
		return Platform{}, fmt.Errorf("%s runs %q containers: the sentry needs Linux containers (switch the engine to Linux containers)", cli, osName)
	}
	a, ok := goArch[arch]
	if !ok {
		return Platform{}, fmt.Errorf("%s runs containers for architecture %q: rbm's sentry image is built for amd64 or arm64", cli, arch)
	}
	return Platform{OS: osName, Arch: a}, nil
}

// clip bounds what an engine printed before it reaches an error message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
