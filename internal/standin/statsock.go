package standin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"time"
)

// statsPath is the URL path of the counters on the stats socket.
const statsPath = "/stats"

// bindStats serves GET /stats on a unix socket at path. A socket file left
// by a stand-in that died is replaced; a live one is an error.
func (g *group) bindStats(path string, stats *counters) error {
	if err := clearStale(path); err != nil {
		return err
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("standin: stats socket: %w", err)
	}
	g.closers = append(g.closers, l)
	// The reader may be another user: a rootless test's host user is not
	// the uid the stand-in's container maps to.
	if err := os.Chmod(path, 0o666); err != nil {
		return fmt.Errorf("standin: stats socket: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+statsPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(stats.snapshot())
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	g.serve(func() { _ = srv.Serve(l) }, srv.Close)
	return nil
}

// clearStale removes a socket file nobody listens on any more.
func clearStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("standin: stats socket: %w", err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("standin: stats socket %s: exists and is not a socket", path)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("standin: stats socket %s: another stand-in is serving it", path)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("standin: stats socket: remove stale: %w", err)
	}
	return nil
}

// FetchStats reads the counters of the stand-in serving socketPath.
func FetchStats(ctx context.Context, socketPath string) (Stats, error) {
	var s Stats
	var d net.Dialer
	client := http.Client{Transport: &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, "unix", socketPath)
		},
	}}
	defer client.CloseIdleConnections()
	// The host part is ignored: the transport always dials the socket.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://standin"+statsPath, nil)
	if err != nil {
		return s, fmt.Errorf("fetch stand-in stats: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return s, fmt.Errorf("fetch stand-in stats from %s: %w", socketPath, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return s, fmt.Errorf("fetch stand-in stats from %s: %s", socketPath, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return s, fmt.Errorf("fetch stand-in stats from %s: %w", socketPath, err)
	}
	return s, nil
}
