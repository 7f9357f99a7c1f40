package iptables

import (
	"context"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/runner"
)

func TestApplyOneCallPerFamily(t *testing.T) {
	f := &runner.Fake{}
	if err := Apply(context.Background(), f, "V4\n", "V6\n"); err != nil {
		t.Fatal(err)
	}
	want := []runner.Cmd{{Name: "iptables-restore", Stdin: "V4\n"}, {Name: "ip6tables-restore", Stdin: "V6\n"}}
	if !slices.EqualFunc(f.Calls, want, cmdEqual) {
		t.Errorf("calls = %+v, want %+v", f.Calls, want)
	}
}

func cmdEqual(a, b runner.Cmd) bool {
	return a.Name == b.Name && slices.Equal(a.Args, b.Args) && a.Stdin == b.Stdin
}

// TestApplyErrorNamesFamilyAndLine: a refused document stops at once and the
// error carries iptables' own message plus the line it points at.
func TestApplyErrorNamesFamilyAndLine(t *testing.T) {
	f := &runner.Fake{Respond: func(c runner.Cmd) ([]byte, error) {
		return nil, &runner.ExitError{Cmd: c, Stderr: "iptables-restore: line 2 failed\n", Err: errors.New("exit status 1")}
	}}
	err := Apply(context.Background(), f, "*filter\n-A NOPE -j ACCEPT\nCOMMIT\n", "")
	if err == nil {
		t.Fatal("Apply succeeded on a failing iptables-restore")
	}
	for _, want := range []string{"apply IPv4 ruleset", "line 2 failed", "(line 2: -A NOPE -j ACCEPT)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if len(f.Calls) != 1 {
		t.Errorf("ip6tables-restore ran after iptables-restore failed: %q", f.Commands())
	}
	if where, _ := failedLine("Error occurred at line: 3", "*nat\n-A X\nCOMMIT\n"); where != "line 3: COMMIT of *nat" {
		t.Errorf("COMMIT error described as %q", where)
	}
	var ee *runner.ExitError
	if !errors.As(err, &ee) {
		t.Error("error does not wrap the *runner.ExitError")
	}
}

func TestApplyIPv6Failure(t *testing.T) {
	f := &runner.Fake{Respond: func(c runner.Cmd) ([]byte, error) {
		if c.Name == "ip6tables-restore" {
			return nil, &exec.Error{Name: c.Name, Err: exec.ErrNotFound}
		}
		return nil, nil
	}}
	err := ApplyLockdown(context.Background(), f)
	if err == nil || !strings.Contains(err.Error(), "lockdown: apply IPv6 ruleset") {
		t.Fatalf("err = %v, want it to name the lockdown and IPv6", err)
	}
	if f.Calls[0].Stdin != Lockdown() || f.Calls[1].Stdin != RenderIPv6() {
		t.Error("ApplyLockdown did not load Lockdown() and RenderIPv6()")
	}
}
