// Package enginehost tells where a container engine runs its containers:
// on this Linux machine, or in a Linux VM (Podman machine, Docker Desktop,
// colima, ...) as on a Mac. It reads the engines' own `info --format json`
// and nothing else: pure, so recorded outputs test it.
package enginehost

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/recipe-bottle/rbm/internal/safetext"
)

// Host is where the containers run, as the engine describes it.
type Host struct {
	Engine   string // "Podman" or "Docker"
	VM       string // the VM's kind ("Podman machine", "Docker Desktop", "colima", ...), "" when none is recognised
	Remote   bool   // the engine is reached through a socket to another machine or VM
	OS, Arch string // of the containers (GOARCH-like as the engine says it)
	Kernel   string
	Rootless bool
	Network  string // Podman's network backend ("netavark", "cni"); "" when not said
}

// InVM reports whether the containers' network lives anywhere but on the
// machine rbm runs on: then routes and networks must be read through the
// engine, not from this machine.
func (h Host) InVM() bool { return h.VM != "" || h.Remote }

// String is one line for the preflight.
func (h Host) String() string {
	mode := "rootful"
	if h.Rootless {
		mode = "rootless"
	}
	where := "on this machine"
	switch {
	case h.VM != "":
		where = "in a " + h.VM + " VM"
	case h.Remote:
		where = "on a remote machine"
	}
	return fmt.Sprintf("%s runs %s containers %s (%s, %s, kernel %s)", h.Engine, h.OS, where, mode, h.Arch, h.Kernel)
}

// podmanInfo is the part of `podman info --format json` read here.
type podmanInfo struct {
	Host struct {
		Arch         string `json:"arch"`
		OS           string `json:"os"`
		Kernel       string `json:"kernel"`
		Hostname     string `json:"hostname"`
		Distribution struct {
			Distribution string `json:"distribution"`
			Variant      string `json:"variant"`
		} `json:"distribution"`
		Security struct {
			Rootless bool `json:"rootless"`
		} `json:"security"`
		ServiceIsRemote bool   `json:"serviceIsRemote"`
		NetworkBackend  string `json:"networkBackend"`
	} `json:"host"`
}

// ParsePodman reads `podman info --format json`. Podman machine's VM runs
// Fedora CoreOS (or, since Podman 6, "Podman Machine OS") and the client
// reaches it remotely; either sign names it.
func ParsePodman(out []byte) (Host, error) {
	var in podmanInfo
	if err := json.Unmarshal(out, &in); err != nil {
		return Host{}, fmt.Errorf("podman info --format json: %w", err)
	}
	h := in.Host
	got := Host{Engine: "Podman", Remote: h.ServiceIsRemote, OS: clean(h.OS), Arch: clean(h.Arch),
		Kernel: clean(h.Kernel), Rootless: h.Security.Rootless, Network: clean(h.NetworkBackend)}
	d := strings.ToLower(h.Distribution.Distribution + " " + h.Distribution.Variant)
	if h.ServiceIsRemote && (strings.Contains(d, "coreos") || strings.Contains(d, "machine")) {
		got.VM = "Podman machine"
	}
	return got, nil
}

// dockerInfo is the part of `docker info --format json` read here.
type dockerInfo struct {
	Name            string   `json:"Name"`
	OperatingSystem string   `json:"OperatingSystem"`
	OSType          string   `json:"OSType"`
	Architecture    string   `json:"Architecture"`
	KernelVersion   string   `json:"KernelVersion"`
	SecurityOptions []string `json:"SecurityOptions"`
}

// dockerVMs recognise a Docker engine in a VM by its daemon's host name or
// operating system, as each product sets them.
var dockerVMs = []struct{ kind, name, os string }{
	{"Docker Desktop", "docker-desktop", "docker desktop"},
	{"colima", "colima", ""},
	{"OrbStack", "orbstack", "orbstack"},
	{"Rancher Desktop", "lima-rancher-desktop", ""},
}

// ParseDocker reads `docker info --format json`.
func ParseDocker(out []byte) (Host, error) {
	var in dockerInfo
	if err := json.Unmarshal(out, &in); err != nil {
		return Host{}, fmt.Errorf("docker info --format {{json .}}: %w", err)
	}
	h := Host{Engine: "Docker", OS: clean(in.OSType), Arch: clean(in.Architecture), Kernel: clean(in.KernelVersion)}
	for _, o := range in.SecurityOptions {
		h.Rootless = h.Rootless || o == "name=rootless"
	}
	name, osName := strings.ToLower(in.Name), strings.ToLower(in.OperatingSystem)
	for _, vm := range dockerVMs {
		// colima names its VM after the profile: colima, colima-work.
		if name == vm.name || strings.HasPrefix(name, vm.name+"-") || vm.os != "" && strings.Contains(osName, vm.os) {
			h.VM = vm.kind
			break
		}
	}
	return h, nil
}

// clean bounds and escapes what an engine said before it reaches a
// terminal: it comes from another machine.
func clean(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return safetext.Text(s)
}
