package podman

import (
	"context"
	"errors"
	"fmt"
	"github.com/recipe-bottle/rbm/internal/engine"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
)

const netsJSON = `[{"name":"podman","network_interface":"podman0","subnets":[{"subnet":"10.88.0.0/16","gateway":"10.88.0.1"}]},
{"name":"lab","network_interface":"podman3","subnets":[{"subnet":"10.242.7.0/24"}],"internal":true}]`

const routesJSON = `[{"dst":"default","gateway":"192.0.2.1","dev":"eth0"},{"dst":"192.0.2.0/24","dev":"eth0"},
{"dst":"10.88.0.0/16","dev":"podman0"}]`

// infoJSON is the part of `podman info --format json` rbm reads.
func infoJSON(rootless bool, backend string) string {
	return fmt.Sprintf(`{"host":{"os":"linux","arch":"amd64","kernel":"6.1.0","serviceIsRemote":false,"networkBackend":%q,"security":{"rootless":%v}}}`, backend, rootless)
}

// healthyHost is a host where everything is fine for the allowlist case.
func healthyHost() scripted {
	return scripted{
		"podman version":            out("4.3.1\n"),
		"podman info --format json": out(infoJSON(false, "netavark")),
		"podman network ls":         out(netsJSON),
		"ip -j -4 route show":       out(routesJSON),
	}
}

func preflight(t *testing.T, s scripted, portErr error, kv ...string) engine.Report {
	t.Helper()
	p := engine.Preflight{Runtime: Runtime{}, Runner: s.fake(), PortFree: func(netip.Addr, uint16) error { return portErr }}
	return p.Check(context.Background(), mustConfig(t, append(planCases["allowlist-entry"], kv...)...))
}

// TestPreflightHealthyHost: no problem, the version and mode said, and
// `podman info` (most of a second) asked once for the mode and the site.
func TestPreflightHealthyHost(t *testing.T) {
	f := healthyHost().fake()
	p := engine.Preflight{Runtime: Runtime{}, Runner: f, PortFree: func(netip.Addr, uint16) error { return nil }}
	rep := p.Check(context.Background(), mustConfig(t, planCases["allowlist-entry"]...))
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rep.Info, "\n"); !strings.Contains(got, "podman 4.3.1") || !strings.Contains(got, "rootful Podman, network backend netavark") {
		t.Fatalf("info = %q", got)
	}
	infos := 0
	for _, c := range f.Commands() {
		if strings.HasPrefix(c, "podman info") {
			infos++
		}
	}
	if infos != 1 {
		t.Errorf("podman info ran %d times, want once: %q", infos, f.Commands())
	}
}

func TestPreflightProblems(t *testing.T) {
	inUse := func() scripted {
		s := healthyHost()
		s["podman ps -a --format"] = out("notebook-sentry\nother\n")
		return s
	}
	missingImage := func() scripted {
		s := healthyHost()
		s["podman image exists localhost/rbm-sentry:dev"] = fail(exitErr(t, 1))
		return s
	}
	cases := []struct {
		name    string
		host    scripted
		portErr error
		kv      []string
		want    []string
	}{
		{"default podman subnet", healthyHost(), nil,
			[]string{"RBRR_POD_SUBNET=10.88.0.0/24", "RBRR_SENTRY_IP=10.88.0.2", "RBRR_BOTTLE_IP=10.88.0.3"},
			[]string{`overlaps Podman network "podman" (10.88.0.0/16)`, "Podman's default network", "10.88.0.0/24"}},
		{"other network", healthyHost(), nil,
			[]string{"RBRR_POD_SUBNET=10.242.7.0/24", "RBRR_SENTRY_IP=10.242.7.2", "RBRR_BOTTLE_IP=10.242.7.3"},
			[]string{`overlaps Podman network "lab" (10.242.7.0/24)`}},
		{"host route", healthyHost(), nil,
			[]string{"RBRR_POD_SUBNET=192.0.2.0/24", "RBRR_SENTRY_IP=192.0.2.2", "RBRR_BOTTLE_IP=192.0.2.3"},
			[]string{"192.0.2.0/24, routed by this host on eth0"}},
		{"port in use", healthyHost(), errors.New("listen: address already in use"), nil,
			[]string{"RBRN_ENTRY_PORT_WORKSTATION=8888: the port is in use"}},
		{"missing uplink", healthyHost(), nil, []string{"RBRR_UPLINK_NETWORK=nope"},
			[]string{"RBRR_UPLINK_NETWORK=nope: no such Podman network"}},
		{"missing image", missingImage(), nil, nil,
			[]string{"RBRR_SENTRY_IMAGE=localhost/rbm-sentry:dev: image not found", "rbm image build --tag"}},
		{"moniker in use", inUse(), nil, nil,
			[]string{"RBRN_MONIKER=notebook is in use (found container notebook-sentry)", "rbm stop --moniker notebook"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := preflight(t, c.host, c.portErr, c.kv...).Err()
			if err == nil {
				t.Fatal("no problem reported")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("problems lack %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestPreflightPodmanMissingOrOld(t *testing.T) {
	notFound := healthyHost()
	notFound["podman version"] = fail(&exec.Error{Name: "podman", Err: exec.ErrNotFound})
	old := healthyHost()
	old["podman version"] = out("4.2.0\n")
	for name, host := range map[string]scripted{"podman not found": notFound, "too old": old} {
		rep := preflight(t, host, nil)
		if len(rep.Problems) != 1 {
			t.Fatalf("%s: problems %q, want exactly one (the rest is skipped)", name, rep.Problems)
		}
		if !strings.Contains(rep.Problems[0], "4.3 or newer") {
			t.Errorf("%s: %q does not name the minimum version", name, rep.Problems[0])
		}
	}
}

func TestVersionAtLeast(t *testing.T) {
	for v, want := range map[string]bool{"4.3.1": true, "4.3.0-dev": true, "4.2.9": false, "5.0.0-rc1": true, "3.9": false, "4.10.0": true} {
		if got, err := engine.VersionAtLeast(v, MinVersion); err != nil || got != want {
			t.Errorf("versionAtLeast(%q) = %v, %v; want %v", v, got, err, want)
		}
	}
	if _, err := engine.VersionAtLeast("banana", MinVersion); err == nil {
		t.Error("want an error for a malformed version")
	}
}

// Rootless: the mode and backend are reported, and the two host settings
// rootless networking needs are named when missing; the entry port is no
// warning (nat-entry-local takes rootlessport's connections).
func TestPreflightRootlessHost(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/4242")
	h := healthyHost()
	h["podman info --format json"] = out(infoJSON(true, "netavark"))
	h["test -r /dev/net/tun"] = fail(exitErr(t, 1))
	rep := preflight(t, h, nil)
	if got := strings.Join(rep.Info, "\n"); !strings.Contains(got, "rootless Podman, network backend netavark") || strings.Contains(got, "RBRN_ENTRY_ENABLED") {
		t.Errorf("info = %q", got)
	}
	if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "/dev/net/tun cannot be opened") || !strings.Contains(rep.Problems[0], "chmod 0666") {
		t.Fatalf("problems %q, want the tun device with its hint", rep.Problems)
	}
	h["test -r /dev/net/tun"] = out("")
	h["test -d /run/user/4242"] = fail(exitErr(t, 1))
	if rep := preflight(t, h, nil); len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "XDG_RUNTIME_DIR=/run/user/4242 is not a directory") {
		t.Fatalf("problems %q, want the runtime directory", rep.Problems)
	}
	h["podman info --format json"] = out(infoJSON(false, "cni"))
	if rep := preflight(t, h, nil); len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "network backend is cni") {
		t.Fatalf("problems %q, want the network backend", rep.Problems)
	}
}

// Podman machine (a Mac's engine in a VM): routes are the VM's, read
// through a host-network container of the sentry image, never this
// machine's; the rootless checks of this machine's runtime directory and
// tun device do not apply; the VM is named.
func TestPreflightPodmanMachine(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", "") // as on a Mac
	info, err := os.ReadFile("../enginehost/testdata/podman-machine-rootless.json")
	if err != nil {
		t.Fatal(err)
	}
	h := healthyHost()
	h["podman info --format json"] = out(string(info))
	h["ip -j -4 route show"] = fail(&exec.Error{Name: "ip", Err: exec.ErrNotFound}) // a Mac has no ip
	h["podman run --rm --network host --entrypoint ip localhost/rbm-sentry:dev -j -4 route show"] =
		out(`[{"dst":"default","gateway":"192.168.127.1","dev":"enp0s1"},{"dst":"10.242.0.0/16","dev":"enp0s1"}]`)
	t.Setenv("HOME", "/Users/ada")
	rep := preflight(t, h, nil, "RBRN_BOTTLE_VOLUMES=/tmp:/mnt/tmp /:/mnt/root:ro")
	got := strings.Join(rep.Info, "\n")
	if !strings.Contains(got, "in a Podman machine VM (rootless, arm64") {
		t.Errorf("info = %q, want the VM named", got)
	}
	// The Mac's /tmp and / are not what the VM shares (the home, /var/folders).
	for _, p := range []string{"volume /tmp:", "volume /:"} {
		if !strings.Contains(got, "warning: "+p+" the Podman machine VM shares only /Users/ada, /private/folders, /var/folders") {
			t.Errorf("info = %q, want a warning for %s", got, p)
		}
	}
	if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "overlaps 10.242.0.0/16, routed by the Podman machine VM on enp0s1") {
		t.Fatalf("problems %q, want exactly the VM's route overlapping the enclave", rep.Problems)
	}
}
