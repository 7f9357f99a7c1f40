package engine

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// hangUpGrace is how long a closed stream waits for the reader inside the
// container to end on its standard input's end before it is killed.
const hangUpGrace = 3 * time.Second

// OpenEvents streams the sentry's events from inside its container
// (EventsCmd, started through s, its errors to stderr). The command's
// standard input stays open while the stream does: closing the stream, or
// ctx ending, closes it, which ends the reader inside the container too.
func OpenEvents(ctx context.Context, rt Runtime, s runner.Starter, moniker string, follow bool, since time.Duration, stderr io.Writer) (io.ReadCloser, error) {
	if follow && since == 0 {
		since = time.Nanosecond // only new events: --since rounds up to 1 s
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, err
	}
	pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	proc, err := s.Start(pctx, EventsCmd(rt, moniker, follow, since, inR), outW, stderr)
	inR.Close()
	outW.Close()
	if err != nil {
		cancel()
		outR.Close()
		inW.Close()
		return nil, err
	}
	done := make(chan struct{})
	go func() { proc.Wait(); close(done) }()
	hangUp := func() {
		inW.Close()
		select { // the reader inside ends on its stdin's end; the CLI then exits
		case <-done:
		case <-time.After(hangUpGrace):
			cancel()
			<-done
		}
		cancel()
	}
	stop := context.AfterFunc(ctx, hangUp)
	return eventStream{outR, func() { stop(); hangUp() }}, nil
}

// eventStream is the CLI's standard output; Close hangs up first.
type eventStream struct {
	*os.File
	hangUp func()
}

func (s eventStream) Close() error { s.hangUp(); return s.File.Close() }
