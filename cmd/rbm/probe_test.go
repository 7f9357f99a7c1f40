//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/probe"
)

// execute runs rbm with args and stdin, and returns stdout and the error.
func execute(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetArgs(args)
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&out)
	err := root.Execute()
	return out.String(), err
}

// loopbackPorts returns an address that accepts TCP and one that refuses.
func loopbackPorts(t *testing.T) (open, closed string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	c, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed = c.Addr().String()
	c.Close()
	return l.Addr().String(), closed
}

func TestProbeBatch(t *testing.T) {
	open, closed := loopbackPorts(t)
	in := `[{"kind":"tcp","target":"` + closed + `"},{"kind":"tcp","target":"` + open + `","timeout":"1s"}]`
	out, err := execute(t, in, "probe", "batch", "--parallel", "2")
	if err != nil {
		t.Fatalf("batch: %v\n%s", err, out)
	}
	var rs []probe.Result
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatalf("output is not a JSON array of results: %v\n%s", err, out)
	}
	if len(rs) != 2 || rs[0].Outcome != probe.Refused || rs[1].Outcome != probe.Connected {
		t.Errorf("results out of order or wrong: %s", out)
	}
	if rs[0].Spec.Timeout != probe.Duration(probe.DefaultTimeout) || rs[1].Spec.Timeout.String() != "1s" {
		t.Errorf("timeouts %s and %s, want the default filled in and 1s kept", rs[0].Spec.Timeout, rs[1].Spec.Timeout)
	}
	if _, err := execute(t, `[{"kind":"tcp","port":80}]`, "probe", "batch"); err == nil {
		t.Error("a spec with an unknown field was accepted")
	}
}

func TestProbeSingleExitStatus(t *testing.T) {
	open, closed := loopbackPorts(t)
	out, err := execute(t, "", "probe", "tcp", open)
	if err != nil || !strings.HasPrefix(out, "tcp "+open+": connected") {
		t.Errorf("open port: %v, %q", err, out)
	}
	out, err = execute(t, "", "probe", "tcp", closed)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.HasPrefix(out, "tcp "+closed+": refused") {
		t.Errorf("closed port: %v, %q; want exit status 1 and a refused line", err, out)
	}
}
