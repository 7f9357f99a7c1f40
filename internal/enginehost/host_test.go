package enginehost

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseRecordedInfo(t *testing.T) {
	for _, tc := range []struct {
		file, line string
		inVM       bool
	}{
		{"podman-linux-rootful.json", "Podman runs linux containers on this machine (rootful, amd64, kernel 6.18.44-fc-v1294)", false},
		{"podman-machine-rootless.json", "Podman runs linux containers in a Podman machine VM (rootless, arm64, kernel 6.12.7-200.fc41.aarch64)", true},
		{"podman-machine-rootful.json", "Podman runs linux containers in a Podman machine VM (rootful, arm64, kernel 6.12.7-200.fc41.aarch64)", true},
		{"podman-machine-os.json", "Podman runs linux containers in a Podman machine VM (rootless, arm64, kernel 6.16.7-200.fc42.aarch64)", true},
		{"docker-linux.json", "Docker runs linux containers on this machine (rootful, x86_64, kernel 6.18.44-fc-v1294)", false},
		{"docker-desktop.json", "Docker runs linux containers in a Docker Desktop VM (rootful, aarch64, kernel 6.10.14-linuxkit)", true},
		{"colima.json", "Docker runs linux containers in a colima VM (rootful, x86_64, kernel 6.8.0-50-generic)", true},
	} {
		out, err := os.ReadFile(filepath.Join("testdata", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		parse := ParseDocker
		if strings.HasPrefix(tc.file, "podman") {
			parse = ParsePodman
		}
		h, err := parse(out)
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		if got := h.String(); got != tc.line || h.InVM() != tc.inVM {
			t.Errorf("%s:\n got %q in VM %v\nwant %q in VM %v", tc.file, got, h.InVM(), tc.line, tc.inVM)
		}
	}
}

// A remote Podman that is not a recognised machine is still not this
// machine: its routes are read through it.
func TestRemoteIsNotLocal(t *testing.T) {
	h, err := ParsePodman([]byte(`{"host":{"os":"linux","arch":"amd64","serviceIsRemote":true,"distribution":{"distribution":"debian"}}}`))
	if err != nil || h.VM != "" || !h.InVM() || !strings.Contains(h.String(), "on a remote machine") {
		t.Errorf("got %+v (%v), want a remote host that is no known VM", h, err)
	}
}

// What the engine says reaches the terminal escaped and bounded.
func TestHostileInfoIsEscaped(t *testing.T) {
	h, err := ParseDocker([]byte(`{"Name":"x","OSType":"linux","Architecture":"amd64","KernelVersion":"6.1\u001b[2J` + strings.Repeat("k", 200) + `"}`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(h.String(), 0x1b) || len(h.Kernel) > 100 {
		t.Errorf("kernel %q not escaped or not bounded", h.Kernel)
	}
	if _, err := ParsePodman([]byte("false\n")); err == nil {
		t.Error("ParsePodman accepted output that is not JSON")
	}
}

func TestUnshared(t *testing.T) {
	home := "/Users/ada"
	for _, tc := range []struct {
		vm    string
		paths []string
		want  string
	}{
		{"Podman machine", []string{"/Users/ada/src", "/Users/ada", "/opt/data", "/Users/adam"}, "/opt/data /Users/adam"},
		{"Docker Desktop", []string{"/Users/bob/x", "/tmp/y", "/opt/data"}, "/opt/data"},
		{"colima", []string{"/Users/ada/src/../../bob"}, "/Users/ada/src/../../bob"}, // cleaned first: /Users/bob
		{"", []string{"/opt/data"}, ""},         // Linux: the engine sees this machine's paths
		{"OrbStack", []string{"/opt/data"}, ""}, // shares everything; defaults unknown here
	} {
		got, _ := Host{VM: tc.vm}.Unshared(tc.paths, home)
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s: unshared %q, want %q", tc.vm, got, tc.want)
		}
	}
}
