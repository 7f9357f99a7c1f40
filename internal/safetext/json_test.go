package safetext

import (
	"encoding/json"
	"testing"
)

func TestJSON(t *testing.T) {
	for _, s := range []string{"plain.test", "del\x7f", "c1\u009b[2J", "esc\x1b[31m", "emoji\U0001F600", "bidi\u202e"} {
		b, err := json.Marshal(map[string]string{"name": s})
		if err != nil {
			t.Fatal(err)
		}
		got := JSON(b)
		for _, c := range got {
			if c < 0x20 || c >= 0x7f {
				t.Fatalf("JSON(%q) = %q holds byte %#x", b, got, c)
			}
		}
		var back map[string]string
		if err := json.Unmarshal(got, &back); err != nil || back["name"] != s {
			t.Errorf("JSON(%q) = %s reads back as %q (%v), want %q", b, got, back["name"], err, s)
		}
	}
}
