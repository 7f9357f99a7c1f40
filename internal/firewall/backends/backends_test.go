package backends

import (
	"context"
	"errors"
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
