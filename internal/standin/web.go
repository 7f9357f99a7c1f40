package standin

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Web ports.
const (
	portHTTP  = 80
	portHTTPS = 443
)

// bindWeb serves HTTP and HTTPS on every web address, answering
// "rbm-standin <addr>" so a client can tell which server it reached.
func (g *group) bindWeb(cfg Config, stats *counters) error {
	if len(cfg.Web) == 0 {
		return nil
	}
	cert, caPEM, err := issue(certNames(cfg), certIPs(cfg))
	if err != nil {
		return err
	}
	if cfg.CAFile != "" {
		if err := writeCA(cfg.CAFile, caPEM); err != nil {
			return err
		}
	}
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	for _, addr := range cfg.Web {
		for _, port := range []int{portHTTP, portHTTPS} {
			l, err := g.listen("web", hostPort(addr, port))
			if err != nil {
				return err
			}
			if port == portHTTPS {
				l = tls.NewListener(l, tlsCfg)
			}
			srv := &http.Server{Handler: webHandler(addr, port == portHTTPS, stats), ReadHeaderTimeout: 5 * time.Second}
			g.serve(func() { _ = srv.Serve(l) }, srv.Close)
		}
	}
	return nil
}

// webHandler answers every request with 200 and counts it.
func webHandler(addr string, https bool, stats *counters) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		stats.update(func(s *Stats) {
			c := s.Web[addr]
			if https {
				c.HTTPS++
			} else {
				c.HTTP++
			}
			s.Web[addr] = c
		})
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "rbm-standin %s\n", addr)
	})
}

// certNames are the resolver's names: whatever a client resolved through
// the stand-in must verify.
func certNames(cfg Config) []string {
	var names []string
	for n := range cfg.Resolver.Records {
		names = append(names, strings.TrimSuffix(strings.ToLower(n), "."))
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// certIPs are the web addresses, for clients that connect by address.
func certIPs(cfg Config) []net.IP {
	var ips []net.IP
	for _, a := range cfg.Web {
		ips = append(ips, net.ParseIP(a))
	}
	return ips
}
