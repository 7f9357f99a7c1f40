package sentry

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/sysctls"
)

// fakeSysctls is an in-memory /proc/sys. Keys in failSet refuse writes, as
// a read-only /proc/sys in a container does; onSet, when set, sees every
// successful write (to order it against other side effects).
type fakeSysctls struct {
	mu      sync.Mutex
	values  map[string]string
	failSet map[string]bool
	sets    []string // "key=value", every attempt, in order
	onSet   func(kv string)
}

func (f *fakeSysctls) Get(key string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.values[key]
	if !ok {
		return "", fmt.Errorf("read sysctl %s: no such file", key)
	}
	return v, nil
}

func (f *fakeSysctls) Set(key, value string) error {
	f.mu.Lock()
	kv := key + "=" + value
	f.sets = append(f.sets, kv)
	if f.failSet[key] {
		f.mu.Unlock()
		return fmt.Errorf("write sysctl %s: read-only file system", kv)
	}
	if f.values == nil {
		f.values = map[string]string{}
	}
	f.values[key] = value
	on := f.onSet
	f.mu.Unlock()
	if on != nil {
		on(kv)
	}
	return nil
}

func (f *fakeSysctls) attempts() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.sets...)
}

var testIfs = firewall.Interfaces{Enclave: "enc0", Uplink: "up0"}

func TestSysctlsForwardingLastAndRequired(t *testing.T) {
	for _, entry := range []*policy.Entry{nil, {WorkstationPort: 8080, EnclavePort: 80}} {
		list := planSysctls(policy.Policy{Entry: entry}, testIfs)
		last := list[len(list)-1]
		if last.Key != "net.ipv4.ip_forward" || last.Value != "1" || !last.Required {
			t.Errorf("entry %v: last sysctl is %+v; want net.ipv4.ip_forward=1, required", entry, last)
		}
		for _, c := range list[:len(list)-1] {
			if c.Required {
				t.Errorf("entry %v: %s=%s is required; only forwarding should be", entry, c.Key, c.Value)
			}
			if strings.Contains(c.Key, "."+testIfs.Uplink+".") {
				t.Errorf("entry %v: %s touches the uplink", entry, c.Key)
			}
		}
	}
}

func TestSysctlsReversePathFilter(t *testing.T) {
	rp := func(p policy.Policy) string {
		t.Helper()
		var got []string
		for _, c := range planSysctls(p, testIfs) {
			if strings.HasSuffix(c.Key, ".rp_filter") {
				if c.Key != "net.ipv4.conf.enc0.rp_filter" {
					t.Errorf("rp_filter set on %s; want the enclave's only", c.Key)
				}
				got = append(got, c.Value)
			}
		}
		if len(got) != 1 {
			t.Fatalf("rp_filter set %d times, want once", len(got))
		}
		return got[0]
	}
	if got := rp(policy.Policy{}); got != "1" {
		t.Errorf("no entry port: rp_filter %s, want 1 (strict)", got)
	}
	if got := rp(policy.Policy{Entry: &policy.Entry{WorkstationPort: 8080, EnclavePort: 80}}); got != "2" {
		t.Errorf("entry port: rp_filter %s, want 2 (loose)", got)
	}
	// Redirects are off for all interfaces and the enclave.
	keys := map[string]string{}
	for _, c := range planSysctls(policy.Policy{}, testIfs) {
		keys[c.Key] = c.Value
	}
	for _, k := range []string{"net.ipv4.conf.all.send_redirects", "net.ipv4.conf.enc0.send_redirects",
		"net.ipv4.conf.all.accept_redirects", "net.ipv4.conf.enc0.accept_redirects"} {
		if keys[k] != "0" {
			t.Errorf("%s = %q, want 0", k, keys[k])
		}
	}
}

func TestApplySysctlsSkipsValuesAlreadySet(t *testing.T) {
	list := planSysctls(policy.Policy{}, testIfs)
	f := &fakeSysctls{values: map[string]string{}}
	for _, c := range list {
		f.values[c.Key] = c.Value
	}
	f.values["net.ipv4.conf.enc0.rp_filter"] = "0" // the only one that differs
	var warnings []string
	if err := applySysctls(f, list, func(w string) { warnings = append(warnings, w) }); err != nil {
		t.Fatal(err)
	}
	if got := f.attempts(); len(got) != 1 || got[0] != "net.ipv4.conf.enc0.rp_filter=1" {
		t.Errorf("writes %q; want only net.ipv4.conf.enc0.rp_filter=1", got)
	}
	if len(warnings) > 0 {
		t.Errorf("warnings %q", warnings)
	}
}

func TestApplySysctlsWritesInOrder(t *testing.T) {
	list := planSysctls(policy.Policy{}, testIfs)
	f := &fakeSysctls{} // nothing readable: every value is written
	if err := applySysctls(f, list, func(w string) { t.Errorf("warning %q", w) }); err != nil {
		t.Fatal(err)
	}
	got := f.attempts()
	if len(got) != len(list) {
		t.Fatalf("writes %q; want all %d", got, len(list))
	}
	if got[len(got)-1] != "net.ipv4.ip_forward=1" {
		t.Errorf("last write %q; want net.ipv4.ip_forward=1", got[len(got)-1])
	}
}

func TestApplySysctlsRequiredFailureIsAnError(t *testing.T) {
	f := &fakeSysctls{failSet: map[string]bool{"net.ipv4.ip_forward": true}}
	err := applySysctls(f, planSysctls(policy.Policy{}, testIfs), func(string) {})
	if err == nil {
		t.Fatal("forwarding could not be enabled, yet no error")
	}
	for _, want := range []string{"--sysctl net.ipv4.ip_forward=1", "read-only file system"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestApplySysctlsOptionalFailureWarns(t *testing.T) {
	f := &fakeSysctls{failSet: map[string]bool{
		"net.ipv4.conf.enc0.rp_filter":     true,
		"net.ipv4.conf.all.send_redirects": true,
	}}
	var warnings []string
	err := applySysctls(f, planSysctls(policy.Policy{}, testIfs), func(w string) { warnings = append(warnings, w) })
	if err != nil {
		t.Fatalf("optional sysctls failed and that was an error: %v", err)
	}
	if len(warnings) != 2 || !strings.Contains(strings.Join(warnings, "\n"), "rp_filter") {
		t.Errorf("warnings %q; want one for rp_filter and one for send_redirects", warnings)
	}
	// The failures did not stop the rest: forwarding was still written, last.
	got := f.attempts()
	if got[len(got)-1] != "net.ipv4.ip_forward=1" {
		t.Errorf("writes %q; want net.ipv4.ip_forward=1 last", got)
	}
}

func TestApplySysctlsUnreadableIsWritten(t *testing.T) {
	// A Get error is not "already set": the value is written anyway.
	f := &fakeSysctls{}
	list := []sysctls.Setting{{Key: "net.ipv4.ip_forward", Value: "1", Required: true}}
	if err := applySysctls(f, list, func(string) {}); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.Get("net.ipv4.ip_forward"); v != "1" {
		t.Errorf("ip_forward = %q after applySysctls, want 1", v)
	}
}
