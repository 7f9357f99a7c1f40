package podman

import (
	"bytes"
	"context"
	"github.com/recipe-bottle/rbm/internal/engine"
	"strings"
	"testing"
)

func TestStopRemovesLabelledObjectsPodFirst(t *testing.T) {
	f := scripted{
		"podman pod ps --filter label=rbm.moniker=nb":     out("nb-pod\n"),
		"podman ps -a --filter label=rbm.moniker=nb":      out("nb-sentry\n"),
		"podman network ls --filter label=rbm.moniker=nb": out("nb-enclave\n"),
	}.fake()
	var buf bytes.Buffer
	if err := engine.Stop(context.Background(), Runtime{}, f, "nb", &buf); err != nil {
		t.Fatal(err)
	}
	var removes []string
	for _, c := range f.Commands() {
		if strings.Contains(c, " rm ") {
			removes = append(removes, c)
		}
	}
	want := []string{
		"podman pod rm -f --ignore -t 5 nb-pod",
		"podman rm -f --ignore -t 5 nb-sentry",
		"podman network rm -f nb-enclave",
	}
	if strings.Join(removes, "\n") != strings.Join(want, "\n") {
		t.Fatalf("removals:\n%s\nwant:\n%s", strings.Join(removes, "\n"), strings.Join(want, "\n"))
	}
}

func TestStopWithNothingLeftIsFine(t *testing.T) {
	var buf bytes.Buffer
	if err := engine.Stop(context.Background(), Runtime{}, scripted{}.fake(), "nb", &buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "nothing to remove") {
		t.Fatalf("output %q", buf.String())
	}
}
