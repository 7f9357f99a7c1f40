package backends

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// TestNewAndNames: every listed name builds the backend of that name.
func TestNewAndNames(t *testing.T) {
	for _, n := range Names {
		b, err := New(n, &runner.Fake{})
		if err != nil || b.Name() != n {
			t.Errorf("New(%q) = %v, %v", n, b, err)
		}
	}
	if _, err := New("pf", &runner.Fake{}); err == nil {
		t.Error("New accepted an unknown backend")
	}
}

// TestDetect: nftables when "nft list table inet rbm" succeeds, else
// iptables (also when nft fails or is missing).
func TestDetect(t *testing.T) {
	ok := &runner.Fake{}
	if got := Detect(context.Background(), ok).Name(); got != "nftables" {
		t.Errorf("table present: Detect = %s", got)
	}
	if c := ok.Commands(); len(c) != 1 || c[0] != "nft list table inet rbm" {
		t.Errorf("Detect ran %q", c)
	}
	missing := &runner.Fake{Respond: func(runner.Cmd) ([]byte, error) { return nil, errors.New("no such table") }}
	if got := Detect(context.Background(), missing).Name(); got != "iptables" {
		t.Errorf("table absent: Detect = %s", got)
	}
}

// TestForMarker: a named backend is that backend, asking nothing; no name
// detects; an unknown name is an error naming it.
func TestForMarker(t *testing.T) {
	for _, n := range Names {
		f := &runner.Fake{}
		b, err := ForMarker(context.Background(), n, f)
		if err != nil || b.Name() != n || len(f.Commands()) != 0 {
			t.Errorf("ForMarker(%q) = %v, %v after %q", n, b, err, f.Commands())
		}
	}
	f := &runner.Fake{}
	if b, err := ForMarker(context.Background(), "", f); err != nil || b.Name() != "nftables" || len(f.Commands()) != 1 {
		t.Errorf("ForMarker(\"\") = %v, %v after %q, want the detected nftables", b, err, f.Commands())
	}
	if _, err := ForMarker(context.Background(), "pf", &runner.Fake{}); err == nil || !strings.Contains(err.Error(), `"pf"`) {
		t.Errorf("ForMarker(\"pf\") error = %v, want one naming pf", err)
	}
}
