package events

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// hostile are names a bottle can ask for or send: each must come out of
// every display as printable ASCII, visibly escaped.
var hostile = []struct{ name, shown string }{
	{"hidden exfil.allowed.test", `hidden\032exfil.allowed.test`},
	{"ctl\x00\x01.allowed.test", `ctl\000\001.allowed.test`},
	{"esc\x1b[2J\x1b[31m.allowed.test", `esc\027[2J\027[31m.allowed.test`},
	{"nl\nfake 12:00:00.000 dns ok.test", `nl\010fake\03212:00:00.000\032dns\032ok.test`},
	{"cr\roverwrite.test", `cr\013overwrite.test`},
	{"del\x7f.test", `del\127.test`},
	{"csi\u009b2J.test", `csi\194\1552J.test`},
	{"bad\xff.test", `bad\255.test`},
	{"z$({touch,/tmp/x}).test", "z$({touch,/tmp/x}).test"}, // printable: shown as it is, inert on a terminal
	{"back`id`.'q\"#=.test", "back`id`.'q\"#=.test"},
	{`guard\032escaped.test`, `guard\032escaped.test`}, // the DNS guard's form passes unchanged
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

func TestTextEscapesEveryField(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for _, h := range hostile {
		for _, e := range []Event{
			{Time: t0, Kind: DNS, Name: h.name, Type: "A", Client: "10.242.0.3", Verdict: NotAllowed, Answers: []string{h.name}},
			{Time: t0, Kind: Deny, Proto: "tls", Dst: "198.51.100.7", Port: 443, Name: h.name, Rule: "rbm:gate-name"},
			{Time: t0, Kind: Learned, Addr: "198.51.100.7", Name: h.name, Verdict: h.name},
			{Time: t0, Kind: Lifecycle, What: h.name, Detail: h.name},
			{Time: t0, Kind: Suppressed, Rule: h.name, Count: 3},
		} {
			got := e.Text()
			if !printable(got) {
				t.Errorf("%s event with %q: text %q is not printable ASCII", e.Kind, h.name, got)
			}
			if e.Kind == DNS || e.Kind == Deny {
				if !strings.Contains(got, h.shown) {
					t.Errorf("%s event: text %q does not show the name as %q", e.Kind, got, h.shown)
				}
			}
		}
	}
}

func TestSummaryEscapes(t *testing.T) {
	for _, h := range hostile {
		s := Summarize([]Event{{Kind: DNS, Name: h.name, Verdict: NotAllowed}, {Kind: Deny, Dst: "198.51.100.7", Port: 443, Name: h.name}}).String()
		if !printable(s) || !strings.Contains(s, h.shown) {
			t.Errorf("summary %q: want printable ASCII showing %q", s, h.shown)
		}
	}
}

// FuzzDecode: the stream rbm reads from the sentry (or from whatever
// answers on its socket) never panics the reader, and every event read
// prints as printable ASCII.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"seq":1,"time":"2026-12-05T12:00:00Z","kind":"dns","name":"a.test","verdict":"not allowed"}` + "\n",
		`{"kind":"deny","dst":"198.51.100.7","port":443,"name":"\u001b[2J\u009b"}` + "\n",
		`{"error":"bad request"}` + "\n",
		`{"kind":"learned","expires":"2026-12-05T12:00:00Z","answers":["x"]}`,
		"not json\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		Decode(bytes.NewReader(b), func(e Event) error {
			if s := e.Text(); !printable(s) {
				t.Fatalf("event %+v prints %q", e, s)
			}
			return nil
		})
	})
}

// TestSocketStreamASCII: the stream rbm sentry events prints as it is
// holds no raw DEL or C1 byte, and reads back to the same name.
func TestSocketStreamASCII(t *testing.T) {
	var b bytes.Buffer
	name := "del\x7f c1\u009b esc\x1b.test"
	if err := (asciiEncoder{&b}).Encode(Event{Kind: DNS, Name: name}); err != nil {
		t.Fatal(err)
	}
	if line := strings.TrimSuffix(b.String(), "\n"); !printable(line) {
		t.Errorf("stream line %q is not printable ASCII", line)
	}
	var got []Event
	if err := Decode(&b, func(e Event) error { got = append(got, e); return nil }); err != nil || len(got) != 1 || got[0].Name != name {
		t.Errorf("read back %+v (%v), want the name %q", got, err, name)
	}
}

// TestHistoryLogASCII: the sentry's own JSON log (podman logs) holds no
// raw DEL or C1 byte either.
func TestHistoryLogASCII(t *testing.T) {
	var out bytes.Buffer
	NewHistory(2, &out).Emit(Event{Kind: DNS, Name: "c1\u009b[2J del\x7f.test"})
	if line := strings.TrimSuffix(out.String(), "\n"); !printable(line) {
		t.Errorf("log line %q is not printable ASCII", line)
	}
}
