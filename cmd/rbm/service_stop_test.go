package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// TestStatusJSONNoService: with no service (here: no runtime at all) rbm
// status --json prints an empty array, not null.
func TestStatusJSONNoService(t *testing.T) {
	list, failed := engine.ListAll(context.Background(), nil, runner.Exec{})
	if len(failed) != 0 {
		t.Fatalf("failed: %v", failed)
	}
	var b bytes.Buffer
	if err := writeJSONLine(&b, list); err != nil {
		t.Fatal(err)
	}
	if b.String() != "[]\n" {
		t.Errorf("rbm status --json with no service printed %q, want %q", b.String(), "[]\n")
	}
}
