package engine

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// cliRuntime is a Runtime of which only the CLI's name is used.
type cliRuntime struct{ Runtime }

func (cliRuntime) CLI() string { return "podman" }

// standIn starts sh in place of the runtime's CLI (keeping its standard
// input), after noting the command it was asked to start.
type standIn struct {
	script string
	asked  []runner.Cmd
}

func (s *standIn) Start(ctx context.Context, c runner.Cmd, stdout, stderr io.Writer) (runner.Proc, error) {
	s.asked = append(s.asked, c)
	return runner.Exec{}.Start(ctx, runner.Cmd{Name: "sh", Args: []string{"-c", s.script}, In: c.In}, stdout, stderr)
}

// TestOpenEventsHangsUp: the stream carries the command's output, and
// closing it closes the command's standard input, which ends the reader
// (here cat), so Close returns without the grace's kill.
func TestOpenEventsHangsUp(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("needs sh")
	}
	s := &standIn{script: "echo event; cat >/dev/null; echo ended >&2"}
	st, err := OpenEvents(context.Background(), cliRuntime{}, s, "mk", true, 0, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(st).ReadString('\n')
	if err != nil || line != "event\n" {
		t.Fatalf("read %q, %v; want the command's first line", line, err)
	}
	if err := st.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	want := []string{"exec", "-i", "mk-sentry", "rbm", "sentry", "events", "--follow", "--stdin-hangup", "--since", "1s"}
	if len(s.asked) != 1 || s.asked[0].Name != "podman" || !slices.Equal(s.asked[0].Args, want) {
		t.Errorf("started %+v, want podman %q", s.asked, want)
	}
}

// TestOpenEventsEndsWithContext: the caller's context ending hangs up as
// Close does; the stream then reads to its end.
func TestOpenEventsEndsWithContext(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("needs sh")
	}
	ctx, cancel := context.WithCancel(context.Background())
	st, err := OpenEvents(ctx, cliRuntime{}, &standIn{script: "cat >/dev/null"}, "mk", false, time.Minute, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cancel()
	if b, err := io.ReadAll(st); err != nil || len(b) != 0 {
		t.Errorf("after the context ended: read %q, %v; want the stream's end", b, err)
	}
}
