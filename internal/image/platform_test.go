package image

import (
	"strings"
	"testing"
)

func TestParsePlatform(t *testing.T) {
	for _, c := range []struct{ cli, out, want, err string }{
		{"podman", "linux/arm64\n", "linux/arm64", ""},
		{"podman", "linux/amd64\n", "linux/amd64", ""},
		{"docker", "linux/aarch64\n", "linux/arm64", ""}, // Docker Desktop on Apple silicon
		{"docker", "linux/x86_64\n", "linux/amd64", ""},
		{"docker", "windows/x86_64\n", "", `docker runs "windows" containers: the sentry needs Linux containers`},
		{"podman", "linux/s390x\n", "", `architecture "s390x": rbm's sentry image is built for amd64 or arm64`},
		{"podman", "\n", "", "expected OS/ARCH such as linux/arm64"},
		{"docker", strings.Repeat("\x1b[2J", 40) + "/x", "", `..."`},
	} {
		p, err := ParsePlatform(c.cli, []byte(c.out))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || strings.Contains(err.Error(), "\x1b") {
				t.Errorf("%s %q: error %v, want one containing %q (escaped)", c.cli, c.out, err, c.err)
			}
			continue
		}
		if err != nil || p.String() != c.want {
			t.Errorf("%s %q = %v, %v; want %s", c.cli, c.out, p, err, c.want)
		}
	}
}

func TestInfoCmdPerRuntime(t *testing.T) {
	if got := InfoCmd("podman").String(); got != "podman info --format '{{.Host.OS}}/{{.Host.Arch}}'" {
		t.Errorf("podman: %s", got)
	}
	if got := InfoCmd("docker").String(); got != "docker info --format '{{.OSType}}/{{.Architecture}}'" {
		t.Errorf("docker: %s", got)
	}
}
