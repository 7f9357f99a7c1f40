package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSentryLoaderRuntimeResolver: with RBRR_DNS_SERVER unset the sentry's
// loader takes the resolver from its resolv.conf on every load (so a
// reload follows a change), and refuses a stub.
func TestSentryLoaderRuntimeResolver(t *testing.T) {
	t.Setenv("RBRR_DNS_SERVER", "")
	dir := t.TempDir()
	nameplate := filepath.Join(dir, "bottle.env")
	write(t, nameplate, "RBRN_UPLINK_DNS_ENABLED=true\nRBRN_UPLINK_ALLOWED_DOMAINS=allowed.test\n")
	conf := filepath.Join(dir, "resolv.conf")
	var log bytes.Buffer
	l := sentryLoader{flags: &configFlags{nameplate: nameplate}, dir: dir, stderr: &log, resolvConf: conf}

	write(t, conf, "search lan\nnameserver 10.20.30.1\n")
	c, err := l.load()
	if err != nil || c.DNSServer.String() != "10.20.30.1" {
		t.Fatalf("load: %v, %v; want upstream 10.20.30.1", c, err)
	}
	if !strings.Contains(log.String(), "forwarding to 10.20.30.1, the runtime's resolver (from "+conf+")") {
		t.Errorf("the sentry's log does not say which resolver: %q", log.String())
	}
	write(t, conf, "nameserver 10.40.50.1\n")
	if c, err = l.load(); err != nil || c.DNSServer.String() != "10.40.50.1" {
		t.Fatalf("reload: %v, %v; want upstream 10.40.50.1", c, err)
	}
	write(t, conf, "nameserver 127.0.0.53\n")
	if _, err = l.load(); err == nil || !strings.Contains(err.Error(), "RBRR_DNS_SERVER is unset") || !strings.Contains(err.Error(), "127.0.0.53") {
		t.Fatalf("a stub: %v", err)
	}
	// A configuration that names its resolver does not read the file.
	t.Setenv("RBRR_DNS_SERVER", "198.51.100.53")
	if c, err = l.load(); err != nil || c.DNSServer.String() != "198.51.100.53" {
		t.Fatalf("RBRR_DNS_SERVER set: %v, %v", c, err)
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
