package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// probeHTTP sends one GET to s.URL (or to s.Target with the probe's
// scheme) and reports the status line and the first line of the body.
// Redirects are not followed and proxies from the environment are ignored:
// the probe is about this one connection.
func probeHTTP(ctx context.Context, s Spec) Result {
	tr, err := transport(s)
	if err != nil {
		return Result{Outcome: Error, Detail: err.Error()}
	}
	defer tr.CloseIdleConnections()
	url := s.URL
	if url == "" {
		url = string(s.Kind) + "://" + s.Target + "/"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Result{Outcome: Error, Detail: fmt.Sprintf("http probe: %v", err)}
	}
	client := http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		return failed(err)
	}
	defer resp.Body.Close()
	line, _ := bufio.NewReader(resp.Body).ReadString('\n')
	detail := "HTTP " + resp.Status
	if line = strings.TrimSpace(line); line != "" {
		detail += ": " + truncate(line, 80)
	}
	return Result{Outcome: Connected, Detail: detail}
}

// transport builds a one-use transport that trusts s.CAFile (when set) and
// dials the address pinned by s.Resolve instead of resolving it.
func transport(s Spec) (*http.Transport, error) {
	tr := &http.Transport{Proxy: nil, DisableKeepAlives: true, TLSClientConfig: &tls.Config{InsecureSkipVerify: s.Insecure}}
	if s.CAFile != "" {
		pem, err := os.ReadFile(s.CAFile)
		if err != nil {
			return nil, fmt.Errorf("http probe: read CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("http probe: no PEM certificate in %s", s.CAFile)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	hostport, addr, err := parseResolve(s.Resolve)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	tr.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) {
		if hostport != "" && strings.EqualFold(a, hostport) {
			a = addr
		}
		c, err := d.DialContext(ctx, network, a)
		if err != nil || s.Segment <= 0 {
			return c, err
		}
		return segmented{Conn: c, size: s.Segment}, nil
	}
	return tr, nil
}

// segmented writes at most size bytes at a time, pausing between them so
// the kernel sends each in a segment of its own (Go sets TCP_NODELAY).
type segmented struct {
	net.Conn
	size int
}

func (c segmented) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		k := min(c.size, len(p))
		w, err := c.Conn.Write(p[:k])
		n += w
		if err != nil {
			return n, err
		}
		p = p[k:]
		if len(p) > 0 {
			time.Sleep(time.Millisecond)
		}
	}
	return n, nil
}

// parseResolve splits "name:port:addr" into the dialled "name:port" and
// the "addr:port" to use instead. Empty input pins nothing.
func parseResolve(r string) (hostport, addr string, err error) {
	if r == "" {
		return "", "", nil
	}
	parts := strings.SplitN(r, ":", 3)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", fmt.Errorf("http probe: resolve %q: want name:port:addr", r)
	}
	ip := net.ParseIP(strings.Trim(parts[2], "[]"))
	if ip == nil {
		return "", "", fmt.Errorf("http probe: resolve %q: %q is not an IP address", r, parts[2])
	}
	return net.JoinHostPort(parts[0], parts[1]), net.JoinHostPort(ip.String(), parts[1]), nil
}

// truncate shortens s to at most n bytes.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
