package events

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/recipe-bottle/rbm/internal/safetext"
)

// SocketName is the history's unix socket, in the sentry's state directory.
const SocketName = "events.sock"

// Request is what a reader sends first: the events since when, and whether
// to stay for live ones.
type Request struct {
	Since  time.Time `json:"since"`
	Follow bool      `json:"follow"`
}

// maxRequest bounds the one line a reader sends.
const maxRequest = 4096

// Serve answers readers on a unix socket at path until ctx ends. A stale
// socket file is replaced; the socket is readable by root only (the
// history names what the bottle tried).
func Serve(ctx context.Context, path string, h *History) error {
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("events socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("events socket: %w", err)
	}
	go func() {
		<-ctx.Done()
		ln.Close()
		os.Remove(path)
	}()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveConn(ctx, c, h)
		}
	}()
	return nil
}

func serveConn(ctx context.Context, c net.Conn, h *History) {
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReaderSize(io.LimitReader(c, maxRequest), maxRequest).ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return
	}
	var req Request
	if err := json.Unmarshal(line, &req); err != nil {
		fmt.Fprintf(c, "{\"error\":%q}\n", "bad request: "+err.Error())
		return
	}
	c.SetReadDeadline(time.Time{})
	enc := asciiEncoder{c}
	if !req.Follow {
		for _, e := range h.Since(req.Since) {
			if enc.Encode(e) != nil {
				return
			}
		}
		return
	}
	past, live, cancel := h.Follow(req.Since)
	defer cancel()
	for _, e := range past {
		if enc.Encode(e) != nil {
			return
		}
	}
	gone := make(chan struct{}) // the reader hung up
	go func() { io.Copy(io.Discard, c); close(gone) }()
	for {
		select {
		case <-ctx.Done():
			return
		case <-gone:
			return
		case e := <-live:
			if enc.Encode(e) != nil {
				return
			}
		}
	}
}

// asciiEncoder writes each event as one ASCII-only JSON line
// (safetext.JSON): rbm sentry events prints this stream as it is.
type asciiEncoder struct{ w io.Writer }

func (a asciiEncoder) Encode(e Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = a.w.Write(append(safetext.JSON(b), '\n'))
	return err
}

// Dial asks the history at path for req and returns the stream of JSON
// lines; closing it (or ending ctx) hangs up.
func Dial(ctx context.Context, path string, req Request) (io.ReadCloser, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("sentry events: %w (is the sentry running?)", err)
	}
	b, _ := json.Marshal(req)
	if _, err := c.Write(append(b, '\n')); err != nil {
		c.Close()
		return nil, fmt.Errorf("sentry events: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	return closer{c, stop}, nil
}

type closer struct {
	net.Conn
	stop func() bool
}

func (c closer) Close() error { c.stop(); return c.Conn.Close() }

// Decode calls fn for every event read from r until EOF, a read error or
// an error from fn. A line that is not an event is an error: readers see
// the sentry's own errors this way.
func Decode(r io.Reader, fn func(Event) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var raw struct {
			Event
			Error string `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			return fmt.Errorf("sentry events: not an event: %q", sc.Text())
		}
		if raw.Error != "" {
			return fmt.Errorf("sentry events: %s", safetext.Text(raw.Error))
		}
		if err := fn(raw.Event); err != nil {
			return err
		}
	}
	return sc.Err()
}
