package netinit

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/runner"
)

var testRoutes = Routes{Via: netip.MustParseAddr("10.242.0.2"), Block: netip.MustParseAddr("10.242.0.1")}

const goodRoutes = `[{"dst":"default","gateway":"10.242.0.2","dev":"eth0","flags":[]},
{"dst":"10.242.0.0/24","dev":"eth0","protocol":"kernel","scope":"link","prefsrc":"10.242.0.3","flags":[]},
{"type":"prohibit","dst":"10.242.0.1","flags":[]}]`

func TestApplyRunsReplaceCommandsThenChecks(t *testing.T) {
	f := &runner.Fake{Respond: func(c runner.Cmd) ([]byte, error) {
		if c.Args[0] == "-j" {
			return []byte(goodRoutes), nil
		}
		return nil, nil
	}}
	if err := Apply(context.Background(), f, testRoutes); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ip -4 route replace prohibit 10.242.0.1/32",
		"ip -4 route replace default via 10.242.0.2",
		"ip -j -4 route show",
	}
	if got := f.Commands(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("commands:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestVerify(t *testing.T) {
	cases := []struct {
		name   string
		routes []route
		errHas string
	}{
		{"good", []route{{Dst: "default", Gateway: "10.242.0.2"}, {Type: "prohibit", Dst: "10.242.0.1"}}, ""},
		{"no default", []route{{Type: "prohibit", Dst: "10.242.0.1"}}, "want exactly one via 10.242.0.2"},
		{"wrong gateway", []route{{Dst: "default", Gateway: "10.242.0.1"}, {Type: "prohibit", Dst: "10.242.0.1"}}, "want exactly one"},
		{"two defaults", []route{{Dst: "default", Gateway: "10.242.0.2"}, {Dst: "default", Gateway: "10.242.0.9"}, {Type: "prohibit", Dst: "10.242.0.1"}}, "want exactly one"},
		{"bridge open", []route{{Dst: "default", Gateway: "10.242.0.2"}}, "no prohibit route"},
	}
	for _, c := range cases {
		err := verify(c.routes, testRoutes)
		if c.errHas == "" && err != nil || c.errHas != "" && (err == nil || !strings.Contains(err.Error(), c.errHas)) {
			t.Errorf("%s: err %v, want containing %q", c.name, err, c.errHas)
		}
	}
}

func TestApplyRefusesNonIPv4(t *testing.T) {
	err := Apply(context.Background(), &runner.Fake{}, Routes{Via: netip.MustParseAddr("::1"), Block: testRoutes.Block})
	if err == nil {
		t.Fatal("want an error for an IPv6 gateway")
	}
}
