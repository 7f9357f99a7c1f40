package runner

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestCmdStringQuotes(t *testing.T) {
	c := Cmd{Name: "podman", Args: []string{"run", "--env", "RBRN_UPLINK_ALLOWED_DOMAINS=a.test b.test", "it's", ""}}
	want := `podman run --env 'RBRN_UPLINK_ALLOWED_DOMAINS=a.test b.test' 'it'\''s' ''`
	if got := c.String(); got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
}

func TestExecReportsStderrAndStdin(t *testing.T) {
	out, err := Exec{}.Run(context.Background(), Cmd{Name: "sh", Args: []string{"-c", "cat; echo oops >&2; exit 3"}, Stdin: "fed\n"})
	if string(out) != "fed\n" {
		t.Errorf("stdout = %q, want the stdin echoed", out)
	}
	var ee *ExitError
	if !errors.As(err, &ee) || !strings.Contains(err.Error(), "oops") || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("err = %v, want an *ExitError with stderr and status", err)
	}
}

func TestExecMissingProgram(t *testing.T) {
	_, err := Exec{}.Run(context.Background(), Cmd{Name: "rbm-no-such-program"})
	if !IsNotFound(err) {
		t.Errorf("err = %v, want not found", err)
	}
}

func TestInNetnsWraps(t *testing.T) {
	f := &Fake{}
	ns := InNetns{Name: "lab-sentry", Inner: f}
	if _, err := ns.Run(context.Background(), Cmd{Name: "iptables-save", Args: []string{"-c"}, Stdin: "x"}); err != nil {
		t.Fatal(err)
	}
	if got := f.Commands()[0]; got != "ip netns exec lab-sentry iptables-save -c" || f.Calls[0].Stdin != "x" {
		t.Errorf("wrapped as %q (stdin %q)", got, f.Calls[0].Stdin)
	}
	if _, err := ns.Start(context.Background(), Cmd{Name: "dnsmasq"}, nil, nil); err == nil {
		t.Error("Start through a runner that cannot start programs must fail")
	}
}
