package resolvconf

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChoose reads the fixtures under testdata: the resolver the sentry
// forwards to, or the error that names RBRR_DNS_SERVER and what was found.
func TestChoose(t *testing.T) {
	for _, tc := range []struct {
		file, want string
		errHas     []string
	}{
		{file: "plain.conf", want: "10.20.30.1"},
		{file: "comments.conf", want: "10.1.2.3"},
		{file: "several.conf", want: "203.0.113.53"},
		{file: "stub.conf", errHas: []string{"RBRR_DNS_SERVER", "only 127.0.0.53 (loopback"}},
		{file: "ipv6-only.conf", errHas: []string{"RBRR_DNS_SERVER", "fd00::1 (IPv6", "fe80::1%eth0 (IPv6"}},
		{file: "empty.conf", errHas: []string{"RBRR_DNS_SERVER is unset", "names no nameserver"}},
		{file: "garbage.conf", errHas: []string{"0.0.0.0 (not a unicast", "224.0.0.251 (not a unicast"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file)
			got, err := Read(path)
			if tc.want != "" {
				if err != nil || got != netip.MustParseAddr(tc.want) {
					t.Fatalf("Read(%s) = %v, %v; want %s", path, got, err, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Read(%s) = %v; want an error", path, got)
			}
			for _, s := range tc.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file %s", err, path)
			}
		})
	}
}

func TestReadMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "resolv.conf")
	_, err := Read(path)
	if err == nil || !strings.Contains(err.Error(), "RBRR_DNS_SERVER is unset and the sentry has no "+path) {
		t.Fatalf("Read(missing) error = %v", err)
	}
}

// TestChooseBounded: a huge file is read up to maxSize only; a nameserver
// after that is not seen.
func TestChooseBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "resolv.conf")
	text := strings.Repeat("# padding\n", maxSize/10+1) + "nameserver 10.1.1.1\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if a, err := Read(path); err == nil {
		t.Fatalf("Read found %v past the bound", a)
	}
}

func FuzzNameservers(f *testing.F) {
	f.Add("nameserver 10.0.0.1\n")
	f.Add("nameserver ::1\nnameserver\x00 1.2.3.4")
	f.Fuzz(func(t *testing.T, text string) {
		for _, a := range Nameservers(text) {
			if !a.IsValid() {
				t.Fatalf("invalid address from %q", text)
			}
		}
		if a, err := Choose("x", text); err == nil && (!a.Is4() || a.IsLoopback()) {
			t.Fatalf("Choose chose %v from %q", a, text)
		}
	})
}
