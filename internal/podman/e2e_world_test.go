package podman_test

import (
	"os"
	"path/filepath"
)

// The stand-in internet: an --internal network (no route off the machine)
// that is the sentry's uplink, with a resolver and three web/echo servers on
// documentation addresses. The host holds .1 on its bridge, so the test can
// play the workstation reaching the entry port.
const (
	upNet      = "rbmt-up"
	upSubnet   = "203.0.113.0/25"
	upGateway  = "203.0.113.1"
	resolverIP = "203.0.113.53"
	allowedIP  = "203.0.113.80" // in RBRN_UPLINK_ALLOWED_CIDRS
	otherIP    = "203.0.113.81" // not allowed
	// The learned server lives beyond the uplink subnet, which no learned
	// address may open: on a second internal network, reached through its
	// own uplink address (the sentry's default route in the verify test).
	farNet      = "rbmt-far"
	farSubnet   = "203.0.113.128/25"
	learnedIP   = "203.0.113.200" // not allowed; learn.allowed.test resolves to it
	learnedNear = "203.0.113.82"  // the learned server on the uplink
	testLabel   = "rbm.test=podman-e2e"
	// hostName is an allowed name whose answer is the host's own address
	// on the uplink bridge (upGateway), which the services of these tests
	// are told is the host's (RBRR_HOST_ADDRESSES): neither global egress
	// nor a learned answer may open it.
	hostName = "host.allowed.test"
)

var standins = []struct{ name, ip, config, far string }{
	// private.bait.test and metadata.bait.test are rebinding bait, and so
	// are cname-private.bait.test and cname-metadata.bait.test (aliases of
	// names outside every allowed domain).
	{"rbmt-resolver", resolverIP, `{"resolver":{"addr":"203.0.113.53","records":{"allowed.test":["203.0.113.80"],"other.test":["203.0.113.81"],"learn.allowed.test":["203.0.113.200"],"host.allowed.test":["203.0.113.1"],"far.test":["203.0.113.200"],"private.bait.test":["10.1.2.3"],"metadata.bait.test":["169.254.169.254"],"private-host.elsewhere.test":["10.1.2.4"],"metadata-host.elsewhere.test":["169.254.169.254"]},"cnames":{"cname-private.bait.test":"private-host.elsewhere.test","cname-metadata.bait.test":"metadata-host.elsewhere.test"}},"stats_socket":"/ca/resolver-stats.sock"}`, ""},
	// The records (no resolver: no addr) name allowed.test in the HTTPS
	// certificate, whose CA goes to /ca/ca.pem (standInInternet's caFile).
	{"rbmt-allowed", allowedIP, `{"resolver":{"records":{"allowed.test":["203.0.113.80"]}},"web":["203.0.113.80"],"ca_file":"/ca/ca.pem","echo":["203.0.113.80:7"]}`, ""},
	{"rbmt-other", otherIP, `{"web":["203.0.113.81"],"echo":["203.0.113.81:7"]}`, ""},
	// Reachable only once the bottle resolved learn.allowed.test.
	{"rbmt-learned", learnedNear, `{"web":["203.0.113.200"],"echo":["203.0.113.200:7"]}`, learnedIP},
}

// standInInternet creates the uplink network and its servers, and removes
// them when the test ends, whatever happened. caFile (on the host) receives
// the CA of the allowed server's HTTPS certificate once it is ready.
func standInInternet(h host) (caFile string) {
	h.t.Helper()
	removeWorld(h)
	h.t.Cleanup(func() { removeWorld(h.detached()) })
	h.podman("network", "create", "--internal", "--disable-dns", "--subnet", upSubnet,
		"--gateway", upGateway, "--label", testLabel, upNet)
	h.podman("network", "create", "--internal", "--disable-dns", "--subnet", farSubnet, "--label", testLabel, farNet)
	dir := h.t.TempDir()
	caDir := filepath.Join(dir, "ca")
	if err := os.Mkdir(caDir, 0o777); err != nil || os.Chmod(caDir, 0o777) != nil { // the stand-ins run as 65534
		h.t.Fatal(err)
	}
	for _, s := range standins {
		cfg := filepath.Join(dir, s.name+".json")
		if err := os.WriteFile(cfg, []byte(s.config), 0o644); err != nil {
			h.t.Fatal(err)
		}
		nets := []string{"--network", upNet + ":ip=" + s.ip}
		if s.far != "" {
			nets = append(nets, "--network", farNet+":ip="+s.far)
		}
		h.podman(append(append([]string{"run", "-d", "--name", s.name, "--label", testLabel}, nets...),
			"--cap-drop", "ALL", "--user", "65534:65534", "--sysctl", "net.ipv4.ip_unprivileged_port_start=0",
			"-v", cfg+":/standin.json:ro", "-v", caDir+":/ca", bottleImage, "rbm", "standin", "--config", "/standin.json")...)
	}
	return filepath.Join(caDir, "ca.pem")
}

// resolverStats is the host path of the world resolver's stats socket,
// beside the CA file standInInternet returned: the upstream's own count.
func resolverStats(caFile string) string {
	return filepath.Join(filepath.Dir(caFile), "resolver-stats.sock")
}

func removeWorld(h host) {
	for _, s := range standins {
		h.try("podman", "rm", "-f", "--ignore", "-t", "0", s.name)
	}
	for _, n := range []string{upNet, farNet} {
		if _, err := h.try("podman", "network", "exists", n); err == nil {
			h.try("podman", "network", "rm", "-f", n)
		}
	}
}
