package docker_test

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/recipe-bottle/rbm/internal/standin"
)

// The stand-in internet: the sentry's uplink network with a resolver, two
// web/echo servers and a foreign resolver on documentation addresses.
// Docker publishes ports only on a network that is not --internal, so the
// uplink is an ordinary bridge (the host at .1 plays the workstation for
// the entry port) fenced by a host rule: nothing leaves its bridge.
const (
	upNet      = "rbmd-up"
	upBridge   = "rbmd-up0"
	upSubnet   = "203.0.113.0/25"
	resolverIP = "203.0.113.53"
	allowedIP  = "203.0.113.80"
	otherIP    = "203.0.113.81"
	foreignIP  = "203.0.113.103"
	// The learned server lives beyond the uplink subnet, which no learned
	// address may open: on a second network, reached through its uplink
	// address by a route the test gives the sentry.
	farNet      = "rbmd-far"
	farSubnet   = "203.0.113.128/25"
	learnedIP   = "203.0.113.200"
	learnedNear = "203.0.113.82"
	enclave     = "198.51.100.0/24"
	sentryIP    = "198.51.100.2"
	bottleIP    = "198.51.100.3"
	entryPort   = "18089"
	baitDomain  = "bait.test"
	// hostAddr is the host's own address on the uplink bridge, which the
	// service is told is the host's (RBRR_HOST_ADDRESSES); hostName, an
	// allowed name, resolves to it. Neither may open it.
	hostAddr = "203.0.113.1"
	hostName = "host.allowed.test"
)

var standins = []struct{ name, ip, config string }{
	{"rbmd-resolver", resolverIP, `{"resolver":{"addr":"203.0.113.53","records":{"allowed.test":["203.0.113.80"],"learn.allowed.test":["203.0.113.200"],"host.allowed.test":["203.0.113.1"],"other.test":["203.0.113.81"],"private.bait.test":["10.1.2.3"],"metadata.bait.test":["169.254.169.254"],"private-host.elsewhere.test":["10.1.2.4"],"metadata-host.elsewhere.test":["169.254.169.254"]},"cnames":{"cname-private.bait.test":"private-host.elsewhere.test","cname-metadata.bait.test":"metadata-host.elsewhere.test"}},"stats_socket":"/ca/resolver-stats.sock"}`},
	{"rbmd-allowed", allowedIP, `{"resolver":{"records":{"allowed.test":["203.0.113.80"]}},"web":["203.0.113.80"],"ca_file":"/ca/ca.pem","echo":["203.0.113.80:7"]}`},
	{"rbmd-other", otherIP, `{"web":["203.0.113.81"],"echo":["203.0.113.81:7"]}`},
	{"rbmd-foreign", foreignIP, `{"foreign":["203.0.113.103"],"stats_socket":"/ca/foreign-stats.sock"}`},
	{"rbmd-learned", learnedNear, `{"web":["203.0.113.200"],"echo":["203.0.113.200:7"]}`},
}

// fence is the host rule keeping the uplink's traffic on its bridge.
var fence = []string{"DOCKER-USER", "-i", upBridge, "!", "-o", upBridge, "-j", "DROP"}

// standInInternet creates the uplink and its servers and removes them when
// the test ends, whatever happened. It returns the directory holding the
// allowed server's CA (ca.pem) and the stats sockets.
func standInInternet(h host) string {
	h.t.Helper()
	removeWorld(h)
	h.t.Cleanup(func() { removeWorld(h.detached()) })
	h.docker("network", "create", "--subnet", upSubnet, "--gateway", hostAddr,
		"-o", "com.docker.network.bridge.name="+upBridge, "--label", testLabel, upNet)
	h.docker("network", "create", "--internal", "--subnet", farSubnet, "-o", "com.docker.network.bridge.inhibit_ipv4=true",
		"--label", testLabel, farNet)
	if _, err := h.try("iptables", append([]string{"-I"}, fence...)...); err != nil {
		h.t.Fatalf("fence the uplink: %v", err)
	}
	dir := filepath.Join(h.t.TempDir(), "ca")
	if err := os.Mkdir(dir, 0o777); err != nil || os.Chmod(dir, 0o777) != nil { // the stand-ins run as 65534
		h.t.Fatal(err)
	}
	for _, s := range standins {
		cfg := filepath.Join(filepath.Dir(dir), s.name+".json")
		if err := os.WriteFile(cfg, []byte(s.config), 0o644); err != nil {
			h.t.Fatal(err)
		}
		h.docker("create", "--name", s.name, "--label", testLabel, "--network", upNet, "--ip", s.ip,
			"--cap-drop", "ALL", "--user", "65534:65534", "--sysctl", "net.ipv4.ip_unprivileged_port_start=0",
			"-v", cfg+":/standin.json:ro", "-v", dir+":/ca", bottleImage, "rbm", "standin", "--config", "/standin.json")
		if s.ip == learnedNear {
			h.docker("network", "connect", "--ip", learnedIP, farNet, s.name)
		}
		h.docker("start", s.name)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, s := range standins {
		for s.name != "rbmd-foreign" && !strings.Contains(h.docker("logs", s.name), "ready") {
			if time.Now().After(deadline) {
				h.t.Fatalf("stand-in %s not ready: %s", s.name, h.docker("logs", s.name))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	for _, sock := range []string{"foreign-stats.sock", "resolver-stats.sock"} {
		for {
			if _, err := standin.FetchStats(h.ctx, filepath.Join(dir, sock)); err == nil {
				break
			}
			if time.Now().After(deadline) {
				h.t.Fatalf("stand-in stats %s not served", sock)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	return dir
}

func removeWorld(h host) {
	for _, s := range standins {
		h.try("docker", "rm", "-f", s.name)
	}
	for {
		if _, err := h.try("iptables", append([]string{"-D"}, fence...)...); err != nil {
			break
		}
	}
	for _, n := range []string{upNet, farNet} {
		if _, err := h.try("docker", "network", "inspect", n); err == nil {
			h.try("docker", "network", "rm", n)
		}
	}
}
