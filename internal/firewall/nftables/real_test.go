package nftables_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/firewall/nftables"
	"github.com/recipe-bottle/rbm/internal/runner"
)

var idInDoc = regexp.MustCompile(`comment "(rbm:[^"]+)"`)

// goldenDocs returns every golden document (each mode plus the lockdown).
func goldenDocs(t *testing.T) map[string]string {
	t.Helper()
	paths, err := filepath.Glob("testdata/*.nft")
	if err != nil || len(paths) < 37 {
		t.Fatalf("golden files missing (%v, %d found); run go test -update first", err, len(paths))
	}
	docs := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		docs[filepath.Base(p)] = string(b)
	}
	return docs
}

// TestGoldenFilesLoad: every golden document passes "nft -c -f" in a fresh
// namespace, then really loads over whatever the previous one left, and
// reads back holding exactly its own rule ids.
func TestGoldenFilesLoad(t *testing.T) {
	needRoot(t)
	ns := newNetns(t)
	ctx := context.Background()
	for name, doc := range goldenDocs(t) {
		t.Run(name, func(t *testing.T) {
			if _, err := ns.Run(ctx, runner.Cmd{Name: "nft", Args: []string{"-c", "-f", "-"}, Stdin: doc}); err != nil {
				t.Fatalf("nft -c: %v", err)
			}
			mustLoad(t, ns, doc)
			snap, err := nftables.ReadCounters(ctx, ns)
			if err != nil {
				t.Fatal(err)
			}
			want := idInDoc.FindAllStringSubmatch(doc, -1)
			for _, m := range want {
				if _, ok := snap.Rules[m[1]]; !ok {
					t.Errorf("%s not found after loading", m[1])
				}
			}
			rules := 0
			for id := range snap.Rules {
				if !strings.HasPrefix(id, "rbm:fwd-allow-") || id == "rbm:fwd-allow-cidrs" || id == "rbm:fwd-allow-global" {
					rules++
				}
			}
			if rules != len(want) {
				t.Errorf("read back %d rule ids, document has %d: a previous ruleset survived?", rules, len(want))
			}
		})
	}
}

// TestLockdownReplacesTable: after Apply then Lockdown the table holds the
// lockdown's ids only: no rbm-* chain, no set, no nat rule.
func TestLockdownReplacesTable(t *testing.T) {
	needRoot(t)
	ns := newNetns(t)
	ctx := context.Background()
	fw := nftables.Firewall{Runner: ns}
	if err := fw.Apply(ctx, fw.Render(learningPolicy(600), realIfs)); err != nil {
		t.Fatal(err)
	}
	if err := fw.Lockdown(ctx); err != nil {
		t.Fatal(err)
	}
	list := ns.Must(t, "nft", "list", "table", "inet", "rbm")
	if strings.Contains(list, "rbm-") || strings.Contains(list, "set ") || strings.Contains(list, "rbm:nat-") {
		t.Errorf("lockdown left parts of the previous ruleset:\n%s", list)
	}
	snap, err := fw.Counters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Rules) != len(nftables.LockdownIDs()) {
		t.Errorf("lockdown holds %v, want %q", snap.Rules, nftables.LockdownIDs())
	}
}

// TestApplyRefusedChangesNothing: a document the kernel refuses (here a
// jump to a missing chain, found only at commit) leaves the loaded table,
// learned addresses included, exactly as it was.
func TestApplyRefusedChangesNothing(t *testing.T) {
	needRoot(t)
	ns := newNetns(t)
	ctx := context.Background()
	fw := nftables.Firewall{Runner: ns}
	p := learningPolicy(600)
	if err := fw.Apply(ctx, fw.Render(p, realIfs)); err != nil {
		t.Fatal(err)
	}
	ns.Must(t, "nft", "add", "element", "inet", "rbm", "learn4", "{ 198.51.100.7 }")
	before := ns.Must(t, "nft", "-t", "list", "table", "inet", "rbm")
	p.Learn.Lifetime *= 2 // so the refused transaction would also have deleted learn4
	bad := strings.Replace(nftables.RenderDoc(p, realIfs), "jump rbm-egress", "jump rbm-nowhere", 1)
	err := nftables.Apply(ctx, ns, bad)
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "rbm-nowhere") {
		t.Fatalf("err = %v, want a refusal naming rbm-nowhere", err)
	}
	if after := ns.Must(t, "nft", "-t", "list", "table", "inet", "rbm"); after != before {
		t.Errorf("refused document changed the table:\n%s", after)
	}
	if got := learnedAddrs(t, fw); len(got) != 1 {
		t.Errorf("refused document changed learn4: %v", got)
	}
}
