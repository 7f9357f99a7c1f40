package lab_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/events"
	"github.com/recipe-bottle/rbm/internal/lab"
	"github.com/recipe-bottle/rbm/internal/probe"
)

// observer is a running `rbm observe --lab --json`.
type observer struct {
	cmd *exec.Cmd
	evs chan events.Event
}

// observe starts rbm observe on the lab and waits until it watches.
func (tl *testLab) observe(t *testing.T) *observer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, tl.rbm, "observe", "--lab", "--prefix", tl.lab.Prefix, "--json")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	o := &observer{cmd: cmd, evs: make(chan events.Event, 4096)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			for _, c := range sc.Bytes() {
				if c < 0x20 || c >= 0x7f {
					t.Errorf("rbm observe --json printed byte %#x raw in %q", c, sc.Text())
					break
				}
			}
			var e events.Event
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Errorf("rbm observe --json printed %q: %v", sc.Text(), err)
				continue
			}
			o.evs <- e
		}
		close(o.evs)
	}()
	line, err := bufio.NewReader(stderr).ReadString('\n')
	if err != nil || !strings.Contains(line, "watching") {
		t.Fatalf("rbm observe did not start watching: %q %v", line, err)
	}
	return o
}

// await returns the first event matching ok, and fails unless it reached
// rbm observe within d of happening (its own time stamp: the sentry's
// reading of the query, the kernel's of the packet). Waiting for it is
// bounded apart, so a slow probe start under load is not counted.
func (o *observer) await(t *testing.T, d time.Duration, what string, ok func(events.Event) bool) events.Event {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e, open := <-o.evs:
			if !open {
				t.Fatalf("rbm observe ended before %s", what)
			}
			if ok(e) {
				if late := time.Since(e.Time); late > d {
					t.Errorf("%s reached rbm observe %v after it happened, want within %v", what, late.Round(time.Millisecond), d)
				}
				return e
			}
		case <-deadline:
			t.Fatalf("no event within 10 s: %s", what)
		}
	}
}

// TestE2EObserveAndSuggest: with learning off, a forbidden name, a
// forbidden address and an allowed name's unlisted address each show up in
// rbm observe --json within a second, with the rule that refused them and
// the name beside the address; rbm suggest then proposes exactly the
// refused name and the two addresses; Ctrl-C ends observe cleanly.
func TestE2EObserveAndSuggest(t *testing.T) {
	forBackends(t, func(t *testing.T, be string) {
		tl := startLab(t, backendEnv(be)+"RBRN_UPLINK_LEARN_ADDRESSES=false\n")
		a, p, sentryIP := tl.info.Addresses, tl.info.Policy, tl.info.Policy.SentryIP.String()
		o := tl.observe(t)

		start := time.Now()
		wantAnswer(t, tl.probes(t, false, dnsSpec(sentryIP, lab.ForbiddenName(p), false, passTimeout))[0], "NXDOMAIN")
		e := o.await(t, time.Second, "the forbidden name", func(e events.Event) bool {
			return e.Kind == events.DNS && e.Name == lab.ForbiddenName(p)
		})
		if e.Verdict != events.NotAllowed || e.Client != p.BottleIP.String() || e.Type != "A" {
			t.Errorf("forbidden name event = %+v, want not allowed, from the bottle", e)
		}

		go tl.probeBatch(t.Context(), false, 1, []probe.Spec{tcpSpec(a.Forbidden.String()+":443", dropTimeout)})
		e = o.await(t, time.Second, "the forbidden connect", func(e events.Event) bool { return e.Kind == events.Deny })
		if e.Rule != "rbm:fwd-drop" || e.Dst != a.Forbidden.String() || e.Port != 443 || e.Proto != "tcp" || e.Name != "" || e.Src != p.BottleIP.String() {
			t.Errorf("denial = %+v, want tcp %s:443 by rbm:fwd-drop, no name", e, a.Forbidden)
		}

		wantAnswer(t, tl.probes(t, false, dnsSpec(sentryIP, lab.LearnName(p), false, passTimeout))[0], "NOERROR", a.Learned.String())
		go tl.probeBatch(t.Context(), false, 1, []probe.Spec{tcpSpec(a.Learned.String()+":443", dropTimeout)})
		e = o.await(t, time.Second, "the unlisted address of an allowed name", func(e events.Event) bool {
			return e.Kind == events.Deny && e.Dst == a.Learned.String()
		})
		if e.Rule != "rbm:fwd-drop" || e.Name != lab.LearnName(p) {
			t.Errorf("denial = %+v, want rbm:fwd-drop with the name %s beside it", e, lab.LearnName(p))
		}
		t.Logf("three refusals observed in %v", time.Since(start).Round(time.Millisecond))

		out, err := run(t.Context(), "", tl.rbm, "suggest", "--lab", "--prefix", tl.lab.Prefix)
		if err != nil {
			t.Fatal(err)
		}
		domains := append(slices.Clone(p.AllowedDomains), lab.ForbiddenName(p))
		var cidrs []string
		for _, c := range p.AllowedCIDRs {
			cidrs = append(cidrs, c.String())
		}
		cidrs = append(cidrs, a.Learned.String()+"/32", a.Forbidden.String()+"/32") // new ones in address order
		for _, want := range []string{
			`RBRN_UPLINK_ALLOWED_DOMAINS='` + strings.Join(domains, " ") + `'`,
			`RBRN_UPLINK_ALLOWED_CIDRS='` + strings.Join(cidrs, " ") + `'`,
			"(" + lab.LearnName(p) + ")",
		} {
			if !strings.Contains(string(out), want) {
				t.Errorf("rbm suggest lacks %s:\n%s", want, out)
			}
		}

		o.cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- o.cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("rbm observe after Ctrl-C: %v, want exit 0", err)
			}
		case <-time.After(3 * time.Second):
			t.Error("rbm observe did not end within 3 s of Ctrl-C")
		}
	})
}

// TestE2EDenialFlood: 100,000 forbidden packets from the bottle leave the
// sentry ready and its resolver answering; the kernel reports only a rate-
// limited share, the history stays bounded, and the rest is reported as
// suppressed, counted to the packet.
func TestE2EDenialFlood(t *testing.T) {
	forBackends(t, func(t *testing.T, be string) {
		tl := startLab(t, backendEnv(be))
		p := tl.info.Policy
		const flood = 100000
		out, err := helperCmd(t, t.Context(), tl.ns(lab.Bottle), "flood", tl.info.Addresses.Forbidden.String()+":9", "100000").CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "sent 100000" {
			t.Fatalf("flood: %v: %s", err, out)
		}
		// Since the rules were loaded: what the history accounts for.
		dropped := tl.counters(t).Rules["rbm:fwd-drop"].Packets
		if dropped < flood {
			t.Fatalf("fwd-drop counted %d packets of the %d sent", dropped, flood)
		}
		if out, err := run(t.Context(), "", "ip", "netns", "exec", tl.ns(lab.Sentry), tl.rbm, "sentry", "ready", "--state-dir", tl.info.SentryDir); err != nil {
			t.Errorf("after the flood the sentry is not ready: %v %s", err, out)
		}
		wantAnswer(t, tl.probes(t, false, dnsSpec(p.SentryIP.String(), lab.AllowedName(p), false, passTimeout))[0], "NOERROR", tl.info.Addresses.Allowed.String())

		// The suppressed count settles within two accounting periods.
		var denied, suppressed uint64
		var kept int
		for deadline := time.Now().Add(8 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
			denied, suppressed, kept = 0, 0, 0
			out, err := run(t.Context(), "", tl.rbm, "sentry", "events", "--state-dir", tl.info.SentryDir)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				var e events.Event
				if err := json.Unmarshal([]byte(l), &e); err != nil {
					t.Fatalf("event line %q: %v", l, err)
				}
				kept++
				switch {
				case e.Kind == events.Deny && e.Rule == "rbm:fwd-drop":
					denied++
				case e.Kind == events.Suppressed && e.Rule == "rbm:fwd-drop":
					suppressed += e.Count
				}
			}
			if denied+suppressed >= dropped {
				break
			}
		}
		t.Logf("%d packets dropped: %d reported, %d suppressed; %d events kept", dropped, denied, suppressed, kept)
		if denied == 0 || denied > flood/10 {
			t.Errorf("%d denials reached the history: want a rate-limited share (>0, far below %d)", denied, flood)
		}
		if denied+suppressed != dropped {
			t.Errorf("reported %d + suppressed %d = %d, want the %d the kernel dropped", denied, suppressed, denied+suppressed, dropped)
		}
		if kept > 4096 {
			t.Errorf("history holds %d events, above its bound", kept)
		}
	})
}
