package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// TestListAllNoService: with no service (here: no runtime at all) the list
// is empty, not nil, so rbm status --json prints an empty array, not null.
func TestListAllNoService(t *testing.T) {
	list, failed := ListAll(context.Background(), nil, runner.Exec{})
	if len(failed) != 0 {
		t.Fatalf("failed: %v", failed)
	}
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(list); err != nil {
		t.Fatal(err)
	}
	if b.String() != "[]\n" {
		t.Errorf("rbm status --json with no service printed %q, want %q", b.String(), "[]\n")
	}
}
