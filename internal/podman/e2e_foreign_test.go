package podman_test

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/recipe-bottle/rbm/internal/engine/serviceverify"
	"github.com/recipe-bottle/rbm/internal/standin"
)

// foreignResolver starts the foreign resolver stand-in and returns the
// host path of its stats socket.
func foreignResolver(h host) string {
	h.t.Helper()
	dir := filepath.Join(h.t.TempDir(), "foreign")
	if err := os.Mkdir(dir, 0o777); err != nil || os.Chmod(dir, 0o777) != nil { // the stand-in runs as 65534
		h.t.Fatal(err)
	}
	conf := filepath.Join(dir, "standin.json")
	if err := os.WriteFile(conf, []byte(`{"foreign":["`+foreignIP+`"],"stats_socket":"/foreign/stats.sock"}`), 0o644); err != nil {
		h.t.Fatal(err)
	}
	h.try("podman", "rm", "-f", "--ignore", "-t", "0", foreignName)
	h.t.Cleanup(func() { h.detached().try("podman", "rm", "-f", "--ignore", "-t", "0", foreignName) })
	h.podman("run", "-d", "--name", foreignName, "--label", testLabel, "--network", upNet+":ip="+foreignIP,
		"--cap-drop", "ALL", "--user", "65534:65534", "--sysctl", "net.ipv4.ip_unprivileged_port_start=0",
		"-v", dir+":/foreign", bottleImage, "rbm", "standin", "--config", "/foreign/standin.json")
	sock := filepath.Join(dir, "stats.sock")
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := standin.FetchStats(h.ctx, sock); err == nil {
			return sock
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("foreign stand-in not serving its stats: %s", h.podman("logs", foreignName))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// foreignCounted is the Podman backend that also sees the foreign
// resolver's count and the upstream's, which a real deployment cannot.
type foreignCounted struct {
	*serviceverify.Backend
	stats, upstream string
}

func (b foreignCounted) UpstreamQueries(ctx context.Context, name string) (int, error) {
	st, err := standin.FetchStats(ctx, b.upstream)
	return int(st.Resolver[name]), err
}

func (b foreignCounted) ForeignQueries(ctx context.Context) (int, bool, error) {
	st, err := standin.FetchStats(ctx, b.stats)
	return int(st.Foreign.Total), err == nil, err
}
