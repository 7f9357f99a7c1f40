package docker

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/engine"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// TestCheckReadsInfoOnce: the runtime's check and the site share one
// `docker info`, and a rootless daemon is named from it.
func TestCheckReadsInfoOnce(t *testing.T) {
	info, err := os.ReadFile("../enginehost/testdata/docker-linux.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, rootless := range []bool{false, true} {
		answer := string(info)
		if rootless {
			answer = strings.Replace(answer, `"SecurityOptions":[`, `"SecurityOptions":["name=rootless",`, 1)
		}
		f := &runner.Fake{Respond: func(c runner.Cmd) ([]byte, error) {
			switch line := c.String(); {
			case strings.HasPrefix(line, "docker version"):
				return []byte("20.10.24\n"), nil
			case strings.HasPrefix(line, "docker info"):
				return []byte(answer), nil
			}
			return nil, nil
		}}
		site := engine.NewSite(Runtime{}, f)
		var rep engine.Report
		if !(Runtime{}).Check(context.Background(), f, mustConfig(t, planCases["allowlist-entry"]...), site, &rep) {
			t.Fatalf("rootless %v: check stopped: %v", rootless, rep.Problems)
		}
		if _, err := site.Host(context.Background()); err != nil {
			t.Fatal(err)
		}
		named := strings.Contains(strings.Join(rep.Info, "\n"), "rootless Docker")
		infos := 0
		for _, c := range f.Commands() {
			if strings.HasPrefix(c, "docker info") {
				infos++
			}
		}
		if named != rootless || infos != 1 {
			t.Errorf("rootless %v: named %v, docker info ran %d times (want once): %q", rootless, named, infos, f.Commands())
		}
	}
}
