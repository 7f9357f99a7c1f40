package runtest

import (
	"os/exec"
	"testing"
)

// quote keeps any value one word for sh, quotes included.
func TestQuote(t *testing.T) {
	for _, v := range []string{"", "plain", "it's", "'; rm -rf / #", `a"b$c`, "two words"} {
		out, err := exec.Command("sh", "-c", "printf %s "+quote(v)).Output()
		if err != nil || string(out) != v {
			t.Errorf("quote(%q) through sh = %q, %v", v, out, err)
		}
	}
}
