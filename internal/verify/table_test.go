package verify_test

import (
	"os"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/lab/labverify"
	"github.com/recipe-bottle/rbm/internal/verify"
)

// TestReadmeHasTheCaseTable: the README's case list is the code's.
func TestReadmeHasTheCaseTable(t *testing.T) {
	tg, err := labverify.ExampleTarget()
	if err != nil {
		t.Fatal(err)
	}
	table := verify.CaseTable(tg)
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), table) {
		t.Errorf("README.md's case table differs from the code; paste `rbm verify --cases`:\n%s", table)
	}
	if n := strings.Count(table, "\n| `"); n < 64 {
		t.Errorf("the built-in lab's battery has %d cases, want at least 64", n)
	}
}
