package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/recipe-bottle/rbm/internal/runner"
)

// Down stops every process in the lab's namespaces and deletes them and the
// state directory. Missing pieces are fine: Down also cleans a half-built lab.
func (l *Lab) Down(ctx context.Context) error {
	if err := CheckPrefix(l.Prefix); err != nil {
		return err
	}
	var errs []error
	for _, ns := range l.existing(ctx) {
		l.killAll(ctx, ns)
		if _, err := l.Runner.Run(ctx, runner.Cmd{Name: "ip", Args: []string{"netns", "del", ns}}); err != nil {
			errs = append(errs, fmt.Errorf("delete namespace %s: %w", ns, err))
		}
	}
	for _, r := range Roles {
		if err := os.RemoveAll(netnsEtc(Namespace(l.Prefix, r))); err != nil {
			errs = append(errs, err)
		}
	}
	if err := os.RemoveAll(StateDir(l.Prefix)); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// killAll sends SIGTERM to every process in ns, then SIGKILL to survivors.
// Deleting a namespace does not end its processes, so this is what keeps a
// lab from leaving dnsmasq or servers behind.
func (l *Lab) killAll(ctx context.Context, ns string) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		pids := l.pids(ctx, ns)
		if len(pids) == 0 {
			return
		}
		for _, pid := range pids {
			syscall.Kill(pid, sig)
		}
		for i := 0; i < 40 && len(l.pids(ctx, ns)) > 0; i++ {
			time.Sleep(50 * time.Millisecond)
		}
	}
}

func (l *Lab) pids(ctx context.Context, ns string) []int {
	out, err := l.Runner.Run(ctx, runner.Cmd{Name: "ip", Args: []string{"netns", "pids", ns}})
	if err != nil {
		return nil
	}
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}
