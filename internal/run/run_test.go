package run

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/config"
	"github.com/recipe-bottle/rbm/internal/runner"
	"github.com/recipe-bottle/rbm/internal/runtimes"
)

// exited is a program's exit, as os/exec reports it.
type exited int

func (e exited) Error() string { return "exit status" }
func (e exited) ExitCode() int { return int(e) }

type fakeProc struct{ err error }

func (fakeProc) Pid() int               { return 1 }
func (fakeProc) Signal(os.Signal) error { return nil }
func (p fakeProc) Wait() error          { return p.err }
func (p fakeProc) start() runner.Starter {
	return starterFunc(func(runner.Cmd) runner.Proc { return p })
}
func (f starterFunc) Start(_ context.Context, c runner.Cmd, _, _ io.Writer) (runner.Proc, error) {
	return f(c), nil
}

type starterFunc func(runner.Cmd) runner.Proc

func runWith(t *testing.T, startErr error, exit error, keep bool) (int, error, *runner.Fake, *strings.Builder) {
	t.Helper()
	rt, err := runtimes.For("podman")
	if err != nil {
		t.Fatal(err)
	}
	fake := &runner.Fake{}
	var errOut strings.Builder
	h := Host{
		Runtime: rt, Runner: fake, Starter: fakeProc{err: exit}.start(),
		Start: func(context.Context, *config.Config) error { return startErr },
		Out:   io.Discard, Err: &errOut,
	}
	cfg := &config.Config{Moniker: "run-t", BottleImage: "img"}
	code, err := Run(context.Background(), h, cfg, &Spec{Keep: keep}, []string{"true"})
	return code, err, fake, &errOut
}

func removed(f *runner.Fake) bool {
	for _, c := range f.Commands() {
		if strings.Contains(c, "label=rbm.moniker=run-t") {
			return true
		}
	}
	return false
}

func TestRunReturnsTheStatusAndRemoves(t *testing.T) {
	code, err, fake, _ := runWith(t, nil, exited(3), false)
	if code != 3 || err != nil {
		t.Errorf("code %d, err %v; want 3 and no error", code, err)
	}
	if !removed(fake) {
		t.Errorf("the service was not removed: %q", fake.Commands())
	}
	if !strings.Contains(strings.Join(fake.Commands(), "\n"), "rbm sentry events") {
		t.Error("the sentry's events were not read for the summary")
	}
}

func TestRunKeep(t *testing.T) {
	code, _, fake, errOut := runWith(t, nil, nil, true)
	if code != 0 || removed(fake) || !strings.Contains(errOut.String(), "kept the bottle service run-t") {
		t.Errorf("--keep: code %d, removed %v, stderr %q", code, removed(fake), errOut.String())
	}
}

func TestRunFailedStartRemovesNothingMore(t *testing.T) {
	code, err, fake, _ := runWith(t, errors.New("step 3 failed"), nil, false)
	if code == 0 || err == nil || len(fake.Calls) != 0 {
		t.Errorf("failed start: code %d, err %v, commands %q (Start undoes itself)", code, err, fake.Commands())
	}
}
