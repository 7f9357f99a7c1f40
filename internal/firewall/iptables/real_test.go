package iptables_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/firewall/iptables"
	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/runner"
)

var idInDoc = regexp.MustCompile(`--comment "(rbm:[^"]+)"`)

// goldenFiles returns the IPv4 documents (every mode plus lockdown) and the
// IPv6 one, by file name.
func goldenFiles(t *testing.T) (v4, v6 map[string]string) {
	t.Helper()
	paths, err := filepath.Glob("testdata/*.rules")
	if err != nil || len(paths) < 3 {
		t.Fatalf("golden files missing (%v); run go test -update first", err)
	}
	v4, v6 = map[string]string{}, map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(p) == "ipv6.rules" {
			v6[p] = string(b)
		} else {
			v4[p] = string(b)
		}
	}
	return v4, v6
}

// TestGoldenFilesLoad: every golden document passes iptables-restore --test,
// really loads, and reads back with every one of its ids present, on the
// nf_tables backend and, when installed, the legacy one.
func TestGoldenFilesLoad(t *testing.T) {
	needRoot(t, "iptables-restore", "ip6tables-restore", "ipset")
	v4, v6 := goldenFiles(t)
	ns := newNetns(t)
	makeSets(t, ns)
	fws := map[string]runner.Runner{"nf_tables": ns}
	if _, err := exec.LookPath("iptables-legacy-restore"); err == nil {
		fws["legacy"] = legacyRunner{ns}
	}
	for backend, fw := range fws {
		for path, doc := range v4 {
			t.Run(backend+"/"+filepath.Base(path), func(t *testing.T) { loadAndReadBack(t, fw, "iptables", doc) })
		}
		for path, doc := range v6 {
			t.Run(backend+"/"+filepath.Base(path), func(t *testing.T) { loadAndReadBack(t, fw, "ip6tables", doc) })
		}
	}
}

// loadAndReadBack loads doc with family's restore and checks the ids in the
// family's save -c output: all of them, and nothing left of an earlier load.
func loadAndReadBack(t *testing.T, fw runner.Runner, family, doc string) {
	t.Helper()
	ctx := context.Background()
	for _, args := range [][]string{{"--test"}, nil} {
		if _, err := fw.Run(ctx, runner.Cmd{Name: family + "-restore", Args: args, Stdin: doc}); err != nil {
			t.Fatalf("%s-restore %v: %v", family, args, err)
		}
	}
	out, err := fw.Run(ctx, runner.Cmd{Name: family + "-save", Args: []string{"-c"}})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := iptables.ParseSave(string(out))
	if err != nil {
		t.Fatal(err)
	}
	want := idInDoc.FindAllStringSubmatch(doc, -1)
	for _, m := range want {
		if _, ok := snap.Rules[m[1]]; !ok {
			t.Errorf("%s not found after loading", m[1])
		}
	}
	if len(snap.Rules) != len(want) {
		t.Errorf("read back %d ids, document has %d: a previous ruleset survived?", len(snap.Rules), len(want))
	}
}

// TestRuleIDsLoaded: for a full policy, the ids RuleIDs promises are the ids
// the kernel holds after Apply, and Apply plus ApplyLockdown replace each
// other completely (no RBM chain, no nat rule survives the lockdown).
func TestRuleIDsLoaded(t *testing.T) {
	needRoot(t, "iptables-restore", "ip6tables-restore", "ipset")
	ns := newNetns(t)
	ctx := context.Background()
	p := trafficPolicy(policy.InterceptRedirect)
	if err := (iptables.Firewall{Runner: ns}).Apply(ctx, (iptables.Firewall{}).Render(p, trafficIfs)); err != nil {
		t.Fatal(err)
	}
	snap, err := (iptables.Firewall{Runner: ns}).Counters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := iptables.CounterIDs(p)
	for _, id := range ids {
		if _, ok := snap.Rules[id]; !ok {
			t.Errorf("%s missing from the kernel", id)
		}
	}
	if len(snap.Rules) != len(ids) || snap.Policies["filter/FORWARD"] != (firewall.Counter{}) {
		t.Errorf("kernel holds %d ids, CounterIDs %d; policies %v", len(snap.Rules), len(ids), snap.Policies)
	}
	if err := iptables.ApplyLockdown(ctx, ns); err != nil {
		t.Fatal(err)
	}
	save := ns.Must(t, "iptables-save")
	if strings.Contains(save, "RBM-") || strings.Contains(save, "-A PREROUTING") || strings.Contains(save, "-A POSTROUTING") {
		t.Errorf("lockdown left rules of the previous ruleset:\n%s", save)
	}
}

// TestApplyRefusedLeavesRulesetIntact: a document the kernel refuses changes
// nothing, and the error quotes the offending line, on both backends.
func TestApplyRefusedLeavesRulesetIntact(t *testing.T) {
	needRoot(t, "iptables-restore", "ip6tables-restore", "ipset")
	ns := newNetns(t)
	fws := map[string]runner.Runner{"nf_tables": ns}
	if _, err := exec.LookPath("iptables-legacy-restore"); err == nil {
		fws["legacy"] = legacyRunner{ns}
	}
	bad := strings.Replace(iptables.RenderIPv4(trafficPolicy(policy.InterceptReject), trafficIfs), "-j RBM-EGRESS", "-j RBM-NOWHERE", 1)
	for name, fw := range fws {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			makeSets(t, fw)
			if err := iptables.ApplyLockdown(ctx, fw); err != nil {
				t.Fatal(err)
			}
			before := saveRules(t, fw)
			err := iptables.Apply(ctx, fw, bad, iptables.RenderIPv6())
			t.Log(err)
			// legacy points at the rule; nf_tables finds the missing chain
			// only at COMMIT, and its own message names it.
			want := map[string]string{"legacy": `-A OUTPUT -m comment --comment "rbm:out-jump" -j RBM-NOWHERE)`, "nf_tables": ": COMMIT of *filter)"}[name]
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "RBM-NOWHERE") {
				t.Fatalf("err = %v, want a refusal naming RBM-NOWHERE and ending %q", err, want)
			}
			if after := saveRules(t, fw); after != before {
				t.Errorf("refused document changed the ruleset:\n%s", after)
			}
		})
	}
}

// saveRules is the IPv4 ruleset without the dated comment lines.
func saveRules(t *testing.T, fw runner.Runner) string {
	t.Helper()
	out, err := fw.Run(context.Background(), runner.Cmd{Name: "iptables-save"})
	if err != nil {
		t.Fatal(err)
	}
	return stripComments(string(out))
}

func stripComments(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestCheckBackendsReal: a fresh namespace passes; one iptables-legacy rule
// makes CheckBackends refuse with *SplitBackendError.
func TestCheckBackendsReal(t *testing.T) {
	needRoot(t, "iptables", "iptables-legacy", "iptables-legacy-save")
	ns := newNetns(t)
	ctx := context.Background()
	b, err := iptables.CheckBackends(ctx, ns)
	if err != nil {
		t.Fatalf("fresh namespace: %v", err)
	}
	if b != iptables.BackendNFTables {
		t.Skipf("iptables uses %s; this test adds a legacy rule to split it", b)
	}
	ns.Must(t, "iptables-legacy", "-A", "FORWARD", "-d", "192.0.2.9", "-j", "DROP")
	_, err = iptables.CheckBackends(ctx, ns)
	var split *iptables.SplitBackendError
	if !errors.As(err, &split) {
		t.Fatalf("err = %v, want *SplitBackendError", err)
	}
	t.Log(err)
	if !strings.Contains(err.Error(), "192.0.2.9") {
		t.Errorf("error does not show the legacy rule: %v", err)
	}
}

// makeSets creates the sets the golden rulesets name, empty, as the
// backend's Apply does before loading a ruleset.
func makeSets(t *testing.T, r runner.Runner) {
	t.Helper()
	doc := "create rbm-allow4 hash:net counters -exist\n" +
		"create rbm-never4 hash:net counters -exist\n" +
		"create rbm-private4 hash:net counters -exist\n" +
		"create rbm-host4 hash:net counters -exist\n" +
		"create rbm-reserved4 hash:net counters -exist\n" +
		"create rbm-learn4 hash:ip timeout 600 counters -exist\n"
	if _, err := r.Run(context.Background(), runner.Cmd{Name: "ipset", Args: []string{"restore"}, Stdin: doc}); err != nil {
		t.Fatalf("create sets: %v", err)
	}
}
