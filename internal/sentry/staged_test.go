package sentry

import (
	"bytes"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/config"
)

func writeTest(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// storeFor is a ConfigStore in dir started from files and the environment.
func storeFor(dir string, log *bytes.Buffer, files ...string) ConfigStore {
	return ConfigStore{Dir: dir, Log: log, Started: func() (*config.Config, error) {
		c, _, err := config.LoadFromProcess(nil, files)
		return c, err
	}}
}

// TestConfigStoreRuntimeResolver: with RBRR_DNS_SERVER unset the sentry's
// loader takes the resolver from its resolv.conf on every load (so a
// reload follows a change), and refuses a stub.
func TestConfigStoreRuntimeResolver(t *testing.T) {
	t.Setenv("RBRR_DNS_SERVER", "")
	dir := t.TempDir()
	nameplate := filepath.Join(dir, "bottle.env")
	writeTest(t, nameplate, "RBRN_UPLINK_DNS_ENABLED=true\nRBRN_UPLINK_ALLOWED_DOMAINS=allowed.test\n")
	conf := filepath.Join(dir, "resolv.conf")
	var log bytes.Buffer
	l := storeFor(dir, &log, nameplate)
	l.ResolvConf = conf

	writeTest(t, conf, "search lan\nnameserver 10.20.30.1\n")
	c, err := l.Load()
	if err != nil || c.DNSServer.String() != "10.20.30.1" {
		t.Fatalf("load: %v, %v; want upstream 10.20.30.1", c, err)
	}
	if !strings.Contains(log.String(), "forwarding to 10.20.30.1, the runtime's resolver (from "+conf+")") {
		t.Errorf("the sentry's log does not say which resolver: %q", log.String())
	}
	writeTest(t, conf, "nameserver 10.40.50.1\n")
	if c, err = l.Load(); err != nil || c.DNSServer.String() != "10.40.50.1" {
		t.Fatalf("reload: %v, %v; want upstream 10.40.50.1", c, err)
	}
	writeTest(t, conf, "nameserver 127.0.0.53\n")
	if _, err = l.Load(); err == nil || !strings.Contains(err.Error(), "RBRR_DNS_SERVER is unset") || !strings.Contains(err.Error(), "127.0.0.53") {
		t.Fatalf("a stub: %v", err)
	}
	// A configuration that names its resolver does not read the file.
	t.Setenv("RBRR_DNS_SERVER", "198.51.100.53")
	if c, err = l.Load(); err != nil || c.DNSServer.String() != "198.51.100.53" {
		t.Fatalf("RBRR_DNS_SERVER set: %v, %v", c, err)
	}
}

// TestConfigStoreStageAndReloaded walks the protocol: refused input stages
// nothing; a valid one is staged and the sentry signalled; the sentry's
// verdict keeps it as live or drops it.
func TestConfigStoreStageAndReloaded(t *testing.T) {
	for _, k := range []string{"RBRR_DNS_SERVER", "RBRN_UPLINK_ALLOWED_CIDRS", "RBRR_SENTRY_IP"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	dir := t.TempDir()
	started := filepath.Join(dir, "started.env")
	base := "RBRR_POD_SUBNET=10.99.0.0/24\nRBRR_SENTRY_IP=10.99.0.2\nRBRR_BOTTLE_IP=10.99.0.3\nRBRN_UPLINK_ACCESS_ENABLED=true\nRBRN_UPLINK_DNS_ENABLED=false\n"
	writeTest(t, started, base+"RBRN_UPLINK_ALLOWED_CIDRS=203.0.113.0/24\n")
	var log bytes.Buffer
	l := storeFor(dir, &log, started)
	pending := filepath.Join(dir, PendingConfig)

	for _, bad := range []string{"RBRN_UPLINK_ACCESS_ENABLED=maybe\n", base + "RBRR_SENTRY_IP=10.99.0.9\n"} {
		if err := l.Stage(strings.NewReader(bad)); !IsInputError(err) {
			t.Errorf("staging %q: %v, want an input error", bad, err)
		}
	}
	if err := l.Stage(strings.NewReader(strings.Repeat("#", MaxConfig+1))); !IsInputError(err) {
		t.Errorf("an oversized configuration: %v, want an input error", err)
	}
	next := base + "RBRN_UPLINK_ALLOWED_CIDRS=198.51.100.0/25\n"
	if err := l.Stage(strings.NewReader(next)); err == nil || IsInputError(err) || !strings.Contains(err.Error(), "not running") {
		t.Errorf("staging without a sentry: %v, want not running", err)
	}
	if _, err := os.Stat(pending); !os.IsNotExist(err) {
		t.Fatalf("something was staged although refused: %v", err)
	}

	// This process stands for the sentry: its marker, its SIGHUP.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	if err := writeMarker(dir, Marker{PID: os.Getpid()}); err != nil {
		t.Fatal(err)
	}
	if err := l.Stage(strings.NewReader(next)); err != nil {
		t.Fatalf("staging a valid change: %v", err)
	}
	select {
	case <-hup:
	case <-time.After(5 * time.Second):
		t.Fatal("no SIGHUP after staging")
	}
	if c, err := l.Load(); err != nil || len(c.AllowedCIDRs) != 1 || c.AllowedCIDRs[0].String() != "198.51.100.0/25" {
		t.Fatalf("the staged configuration does not load: %v, %v", c, err)
	}
	if _, source, _ := l.Live(); !strings.Contains(source, "as started") {
		t.Errorf("a staged configuration is live before the sentry applied it: %s", source)
	}
	l.Reloaded(nil)
	if c, source, err := l.Live(); err != nil || !strings.Contains(source, LiveConfig) || c.AllowedCIDRs[0].String() != "198.51.100.0/25" {
		t.Errorf("after the sentry applied it, live is %v from %s (%v)", c, source, err)
	}
	writeTest(t, pending, next)
	l.Reloaded(os.ErrInvalid)
	if _, err := os.Stat(pending); !os.IsNotExist(err) {
		t.Errorf("a refused staged configuration stays: %v", err)
	}
}
