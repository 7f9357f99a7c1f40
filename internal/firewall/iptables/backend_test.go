package iptables

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// fakeTables answers "iptables --version" with version and each save
// command from saves; commands missing from saves do not exist.
func fakeTables(version string, saves map[string]string) *runner.Fake {
	return &runner.Fake{Respond: func(c runner.Cmd) ([]byte, error) {
		if c.Name == "iptables" {
			return []byte(version), nil
		}
		out, ok := saves[c.Name]
		if !ok {
			return nil, &exec.Error{Name: c.Name, Err: exec.ErrNotFound}
		}
		return []byte(out), nil
	}}
}

const emptyLegacy = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"

func TestCheckBackends(t *testing.T) {
	cases := []struct {
		name    string
		version string
		saves   map[string]string
		want    Backend
		split   string // the save command the error must name; "" for no split
	}{
		{"nft, legacy empty", "iptables v1.8.9 (nf_tables)\n", map[string]string{"iptables-legacy-save": emptyLegacy, "ip6tables-legacy-save": ""}, BackendNFTables, ""},
		{"nft, legacy missing", "iptables v1.8.9 (nf_tables)\n", nil, BackendNFTables, ""},
		{"nft, legacy rule", "iptables v1.8.9 (nf_tables)\n", map[string]string{"iptables-legacy-save": "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n"}, BackendNFTables, "iptables-legacy-save"},
		{"nft, legacy v6 policy", "iptables v1.8.9 (nf_tables)\n", map[string]string{"iptables-legacy-save": "", "ip6tables-legacy-save": "*filter\n:INPUT DROP [0:0]\nCOMMIT\n"}, BackendNFTables, "ip6tables-legacy-save"},
		{"nft, legacy user chain", "iptables v1.8.9 (nf_tables)\n", map[string]string{"iptables-legacy-save": "*nat\n:DOCKER - [0:0]\nCOMMIT\n"}, BackendNFTables, "iptables-legacy-save"},
		{"legacy, nft rule", "iptables v1.8.9 (legacy)\n", map[string]string{"iptables-nft-save": "*filter\n[3:180] -A FORWARD -j DROP\nCOMMIT\n"}, BackendLegacy, "iptables-nft-save"},
		{"old legacy, nft empty", "iptables v1.6.1\n", map[string]string{"iptables-nft-save": "# Warning: iptables-legacy tables present, use iptables-legacy-save to see them\n"}, BackendLegacy, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := CheckBackends(context.Background(), fakeTables(c.version, c.saves))
			if got != c.want {
				t.Errorf("backend = %q, want %q", got, c.want)
			}
			var split *SplitBackendError
			switch {
			case c.split == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case c.split != "" && !errors.As(err, &split):
				t.Errorf("err = %v, want *SplitBackendError", err)
			case c.split != "" && (split.Command != c.split || split.Used != c.want || split.Used == split.Other):
				t.Errorf("split = %+v, want command %s", split, c.split)
			}
		})
	}
}

func TestSplitBackendErrorMessage(t *testing.T) {
	e := &SplitBackendError{Used: BackendNFTables, Other: BackendLegacy, Command: "iptables-legacy-save", Evidence: []string{"-A INPUT -j ACCEPT"}}
	for _, want := range []string{"legacy backend", "rbm loads its rules with the nf_tables backend", "-A INPUT -j ACCEPT", "fresh network namespace"} {
		if !strings.Contains(e.Error(), want) {
			t.Errorf("message %q lacks %q", e.Error(), want)
		}
	}
}

func TestDetectBackendUnknown(t *testing.T) {
	if _, err := DetectBackend(context.Background(), fakeTables("nft v1.0\n", nil)); err == nil {
		t.Error("unrecognised version accepted")
	}
	f := &runner.Fake{Respond: func(c runner.Cmd) ([]byte, error) { return nil, &exec.Error{Name: c.Name, Err: exec.ErrNotFound} }}
	if _, err := CheckBackends(context.Background(), f); err == nil {
		t.Error("missing iptables accepted")
	}
}

func TestCheckBackendsSaveFailure(t *testing.T) {
	f := fakeTables("iptables v1.8.9 (nf_tables)\n", nil)
	inner := f.Respond
	f.Respond = func(c runner.Cmd) ([]byte, error) {
		if c.Name == "iptables-legacy-save" {
			return nil, errors.New("permission denied")
		}
		return inner(c)
	}
	_, err := CheckBackends(context.Background(), f)
	var split *SplitBackendError
	if err == nil || errors.As(err, &split) || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("err = %v, want the save failure, not a split", err)
	}
}

// TestCheckRefusesNFTablesTable: a leftover table inet rbm of the other
// backend is refused; without nft (or without the table) Check passes.
func TestCheckRefusesNFTablesTable(t *testing.T) {
	version := "iptables v1.8.9 (nf_tables)\n"
	saves := map[string]string{"iptables-legacy-save": emptyLegacy, "ip6tables-legacy-save": emptyLegacy}
	if err := (Firewall{Runner: fakeTables(version, saves)}).Check(context.Background()); err != nil {
		t.Errorf("no nft: %v", err)
	}
	saves["nft"] = "table inet rbm {\n}\n"
	err := (Firewall{Runner: fakeTables(version, saves)}).Check(context.Background())
	if err == nil || !strings.Contains(err.Error(), "table inet rbm") {
		t.Errorf("leftover table inet rbm: err = %v, want a refusal naming it", err)
	}
}
