package iptables_test

import (
	"testing"

	"github.com/recipe-bottle/rbm/internal/testns"
)

// nsRunner runs commands inside one throwaway network namespace.
type nsRunner = testns.Runner

// needRoot skips unless the test can create namespaces and run progs.
func needRoot(t *testing.T, progs ...string) { t.Helper(); testns.NeedRoot(t, progs...) }

// newNetns creates an empty namespace "rbmt-fw-<random>" with loopback up,
// linked to nothing, and deletes it when the test ends, failed or not.
func newNetns(t *testing.T) nsRunner { t.Helper(); return testns.NewRunner(t, "rbmt-fw") }

// inNetns runs fn with a thread inside the namespace, so the listeners and
// connections fn makes stay there.
func inNetns(n nsRunner, fn func() error) error { return testns.Do(n.Name, fn) }
