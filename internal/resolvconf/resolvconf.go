// Package resolvconf picks the sentry's upstream resolver from the
// resolv.conf its runtime gave it, for when RBRR_DNS_SERVER is unset.
// Podman and Docker fill a container's /etc/resolv.conf from the host's,
// past a local stub (systemd-resolved's 127.0.0.53 becomes the servers
// behind it), so reading it again follows a laptop that changed networks.
package resolvconf

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"strings"
)

// Path is where the runtime puts the container's resolver configuration.
const Path = "/etc/resolv.conf"

// maxSize bounds what is read: glibc uses at most three nameservers, and a
// real file is a few hundred bytes.
const maxSize = 64 << 10

// Nameservers returns the addresses of the nameserver lines of a
// resolv.conf text, in order. Comments, other keywords and lines whose
// address does not parse are skipped, as the C library skips them.
func Nameservers(text string) []netip.Addr {
	var out []netip.Addr
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 1024), maxSize)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[0] != "nameserver" {
			continue
		}
		if a, err := netip.ParseAddr(f[1]); err == nil {
			out = append(out, a.Unmap()) // ::ffff:10.0.0.1 is 10.0.0.1
		}
	}
	return out
}

// Choose returns the first nameserver of text the sentry can forward to:
// IPv4 (rbm forwards over IPv4 only) and neither loopback (a stub inside
// the sentry's own namespace, not the runtime's resolver), link-local,
// multicast nor unspecified. Pure. The error names RBRR_DNS_SERVER and
// says what the file held; source names the file in it.
func Choose(source, text string) (netip.Addr, error) {
	all := Nameservers(text)
	var refused []string
	for _, a := range all {
		why := unusable(a)
		if why == "" {
			return a, nil
		}
		if len(refused) < 3 {
			refused = append(refused, a.String()+" ("+why+")")
		}
	}
	if len(all) == 0 {
		return netip.Addr{}, fmt.Errorf("RBRR_DNS_SERVER is unset and the sentry's %s names no nameserver: set RBRR_DNS_SERVER to the upstream resolver's IPv4 address", source)
	}
	return netip.Addr{}, fmt.Errorf("RBRR_DNS_SERVER is unset and the sentry's %s names no usable nameserver, only %s: set RBRR_DNS_SERVER to the upstream resolver's IPv4 address", source, strings.Join(refused, ", "))
}

func unusable(a netip.Addr) string {
	switch {
	case !a.Is4():
		return "IPv6; the sentry forwards over IPv4 only"
	case a.IsLoopback():
		return "loopback: a local stub, not reachable from the sentry"
	case a.IsUnspecified(), a.IsMulticast(), a.IsLinkLocalUnicast():
		return "not a unicast address"
	}
	return ""
}

// Read chooses from the file at path (Path in the sentry). A missing file
// is an error naming RBRR_DNS_SERVER too.
func Read(path string) (netip.Addr, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return netip.Addr{}, fmt.Errorf("RBRR_DNS_SERVER is unset and the sentry has no %s: set RBRR_DNS_SERVER to the upstream resolver's IPv4 address", path)
	}
	if err != nil {
		return netip.Addr{}, fmt.Errorf("RBRR_DNS_SERVER is unset, and reading the sentry's %s failed: %w", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSize))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("RBRR_DNS_SERVER is unset, and reading the sentry's %s failed: %w", path, err)
	}
	return Choose(path, string(b))
}
