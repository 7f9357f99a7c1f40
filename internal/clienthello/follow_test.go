package clienthello

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

var errRefused = errors.New("refused by test")

// checker records the hellos Follow checks and refuses the names in refuse.
type checker struct {
	seen   []Hello
	refuse map[string]bool
}

func (c *checker) check(h Hello) error {
	c.seen = append(c.seen, h)
	if c.refuse[h.ServerName] {
		return errRefused
	}
	return nil
}

// follow runs Follow over input (one byte per read, the hardest framing) for a
// TLS 1.3 first hello and returns its error, what it wrote, and what it left.
func follow(input []byte, c *checker) (error, []byte, []byte) {
	r := bytes.NewReader(input)
	var w bytes.Buffer
	err := Follow(iotest.OneByteReader(r), &w, Hello{ServerName: "allowed.test", TLS13: true}, c.check)
	rest, _ := io.ReadAll(r)
	return err, w.Bytes(), rest
}

// TestFollowTLS12Client: a client that does not offer TLS 1.3 is not
// followed at all.
func TestFollowTLS12Client(t *testing.T) {
	input := cat(ccs, record(22, hello13("evil.test")))
	r := bytes.NewReader(input)
	var w bytes.Buffer
	c := &checker{}
	if err := Follow(r, &w, Hello{ServerName: "allowed.test"}, c.check); err != nil {
		t.Fatal(err)
	}
	if r.Len() != len(input) || w.Len() != 0 || len(c.seen) != 0 {
		t.Errorf("read %d, wrote %d, checked %d; want nothing", len(input)-r.Len(), w.Len(), len(c.seen))
	}
}

// TestFollowEnds: each record that ends inspection is written, and nothing
// after it is read.
func TestFollowEnds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	finished := func(b1, b2, b3 byte) []byte { // a TLS 1.2 encrypted Finished starting with 1
		p := make([]byte, 40)
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
		p[0], p[1], p[2], p[3], p[4] = 1, b1, b2, b3, 0x77
		return record(22, p)
	}
	for _, c := range []struct {
		name              string
		inspected, ending []byte
	}{
		{"application data", nil, record(23, []byte("encrypted"))},
		{"alert", nil, record(21, []byte{2, 40})},
		{"unknown type", nil, record(24, []byte{1})},
		{"client key exchange", nil, record(22, []byte{16, 0, 0, 2, 1, 2})},
		{"finished after ccs, length beyond MaxHello", ccs, finished(0xf0, 0, 0)},
		{"finished after ccs, continued but not 0x0303", ccs, finished(0, 8, 0)},
		{"finished after two hellos", cat(ccs, record(22, hello13("allowed.test")), record(22, hello13("allowed.test"))), finished(0x12, 0x34, 0x56)},
		{"application data after a hello", record(22, hello13("allowed.test")), record(23, []byte("x"))},
	} {
		t.Run(c.name, func(t *testing.T) {
			err, written, rest := follow(cat(c.inspected, c.ending, []byte("AFTER")), &checker{})
			if err != nil {
				t.Fatal(err)
			}
			if want := cat(c.inspected, c.ending); !bytes.Equal(written, want) {
				t.Errorf("wrote %x, want %x", written, want)
			}
			if string(rest) != "AFTER" {
				t.Errorf("left %q, want AFTER", rest)
			}
		})
	}
}

// TestFollowChecks: every further ClientHello is checked, whole, before it
// is written; a refusal is returned and its records are not written.
func TestFollowChecks(t *testing.T) {
	other := hello13("other.test")
	for _, c := range []struct {
		name    string
		written []byte // what must be written before the refused hello
		refused []byte // the refused hello's records
	}{
		{"after ccs", ccs, record(22, other)},
		{"without ccs", nil, record(22, other)},
		{"split over records", ccs, frame(22, other, 30)},
		{"split into tiny records after ccs", ccs, frame(22, other, 3)},
		{"header split", nil, frame(22, other, 2)},
		{"third hello", cat(ccs, record(22, hello13("allowed.test"))), record(22, other)},
	} {
		t.Run(c.name, func(t *testing.T) {
			ch := &checker{refuse: map[string]bool{"other.test": true}}
			err, written, _ := follow(cat(c.written, c.refused, record(23, []byte("x"))), ch)
			if !errors.Is(err, errRefused) {
				t.Fatalf("err = %v, want the check's error", err)
			}
			if !bytes.Equal(written, c.written) {
				t.Errorf("wrote %x, want %x", written, c.written)
			}
			if last := ch.seen[len(ch.seen)-1]; last != (Hello{ServerName: "other.test", TLS13: true}) {
				t.Errorf("checked %+v last", last)
			}
		})
	}
}

// TestFollowErrors: broken records are refused, not relayed.
func TestFollowErrors(t *testing.T) {
	many := bytes.Repeat(ccs, maxRead/len(ccs)+1)
	for _, c := range []struct {
		name  string
		input []byte
		want  error
	}{
		{"nothing", nil, io.EOF},
		{"hello without ccs, malformed", record(22, []byte{1, 0, 0, 3, 1, 2, 3}), ErrMalformed},
		{"hello with trailing bytes", record(22, cat(hello13("a.test"), []byte{16, 0, 0, 0})), ErrMalformed},
		{"hello cut short", frame(22, hello13("a.test"), 20)[:25], io.ErrUnexpectedEOF},
		{"alert inside a hello", cat(frame(22, hello13("a.test")[:20], 20), record(21, []byte{1, 0})), ErrMalformed},
		{"continued hello after ccs, malformed", cat(ccs, frame(22, helloMsg(spec{suites: []byte{1}, exts: []ext{sniExt("a.test")}}), 45)), ErrMalformed},
		{"after ccs, malformed within its record", cat(ccs, record(22, []byte{1, 0, 0, 4, 3, 3, 0, 0, 9, 9})), ErrMalformed},
		{"after ccs, bad server name", cat(ccs, record(22, helloMsg(spec{exts: []ext{sniExt("evil.test allowed.test")}}))), ErrMalformed},
		{"after ccs, legacy_version 0x0200", cat(ccs, record(22, []byte{1, 0, 0, 2, 2, 0})), ErrMalformed},
		{"empty handshake record", record(22, nil), ErrMalformed},
		{"bad record version", []byte{22, 3, 9, 0, 1, 1}, ErrMalformed},
		{"record too large", []byte{23, 3, 3, 0xff, 0xff}, ErrTooLarge},
		{"hello too large", record(22, []byte{1, 0, 0x40, 1}), ErrTooLarge},
		{"endless change_cipher_spec", many, ErrTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			ch := &checker{}
			err, written, _ := follow(c.input, ch)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if len(ch.seen) != 0 {
				t.Errorf("checked %+v", ch.seen)
			}
			if bytes.Contains(written, []byte{22, 3}) {
				t.Errorf("wrote a handshake record: %x", written)
			}
		})
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

// TestFollowWriteError: a server gone is reported, not swallowed.
func TestFollowWriteError(t *testing.T) {
	err := Follow(bytes.NewReader(ccs), failWriter{}, Hello{TLS13: true}, nil)
	if !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("err = %v, want io.ErrClosedPipe", err)
	}
}
