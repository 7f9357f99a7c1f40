package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/events"
)

// TestObserveJSONEscaped: --json prints printable ASCII only, with the
// name escaped as in the text (so jq -r shows it safely too).
func TestObserveJSONEscaped(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"esc\x1b[2J.test", `esc\027[2J.test`},
		{"del\x7f c1\u009b.test", `del\127\032c1\194\155.test`},
		{"nl\n{\"kind\":\"dns\"}.test", `nl\010{"kind":"dns"}.test`},
	} {
		var b bytes.Buffer
		if err := writeEventJSON(&b, events.Event{Kind: events.DNS, Name: c.name, Verdict: events.NotAllowed}); err != nil {
			t.Fatal(err)
		}
		line := b.String()
		if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
			t.Errorf("not one line: %q", line)
		}
		for _, ch := range []byte(strings.TrimSuffix(line, "\n")) {
			if ch < 0x20 || ch >= 0x7f {
				t.Errorf("%q: byte %#x reaches the terminal raw in %q", c.name, ch, line)
			}
		}
		var e events.Event
		if err := json.Unmarshal(b.Bytes(), &e); err != nil || e.Name != c.want {
			t.Errorf("%q: name read back %q (%v), want %q", c.name, e.Name, err, c.want)
		}
	}
}
