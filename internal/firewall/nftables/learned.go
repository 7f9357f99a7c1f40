package nftables

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/recipe-bottle/rbm/internal/firewall"
	"github.com/recipe-bottle/rbm/internal/runner"
)

// ReadLearned lists learn4's elements: address, remaining lifetime, counter.
// Without learn4 (the policy does not learn) the list is empty.
func ReadLearned(ctx context.Context, r runner.Runner) ([]firewall.Learned, error) {
	s, ok, err := readSetElements(ctx, r, setLearned)
	if err != nil || !ok {
		return nil, err
	}
	elems, err := s.elements()
	if err != nil {
		return nil, fmt.Errorf("read learned addresses: %w", err)
	}
	out := make([]firewall.Learned, 0, len(elems))
	for _, e := range elems {
		out = append(out, firewall.Learned{Addr: e.Prefix.Addr(), Expires: e.Expires, Counter: e.Counter})
	}
	return out, nil
}

// Forget deletes addrs from learn4 in one transaction. Each is added
// first, so one that already expired or was never there is no error
// ("delete element" alone fails the whole transaction on a missing one);
// the add does not refresh a present element, and the delete follows in
// the same atomic commit. A full set refuses that add (measured: "Too many
// open files in system"), so on failure only the addresses the set holds
// are deleted, in a second call.
func Forget(ctx context.Context, r runner.Runner, addrs []netip.Addr) error {
	list := addrList(addrs, "")
	if list == "" {
		return nil
	}
	doc := fmt.Sprintf("add element %s %s { %s }\ndelete element %s %s { %s }\n",
		tableRef, setLearned, list, tableRef, setLearned, list)
	if err := load(ctx, r, doc); err == nil {
		return nil
	}
	present, _, err := held(ctx, r, addrs)
	if err != nil {
		return fmt.Errorf("forget learned addresses: %w", err)
	}
	if list = addrList(present, ""); list == "" {
		return nil // none held (or no learned set): nothing to forget
	}
	if err := load(ctx, r, fmt.Sprintf("delete element %s %s { %s }\n", tableRef, setLearned, list)); err != nil {
		return fmt.Errorf("forget learned addresses: %w", err)
	}
	return nil
}

// Refresh gives addrs learn4's full lifetime again. A plain "add element"
// of a present element leaves its expiry as it is (measured, kernel 6.18
// and nft 1.0.6; dnsmasq's nftset= does exactly that), while one with an
// explicit "timeout T expires T" resets it; so the set's timeout is read
// and every address re-added with it. Addresses not in the set are added:
// they were just answered. When the set is full and refuses them, the held
// ones are refreshed and the error wraps ErrLearnedFull.
func Refresh(ctx context.Context, r runner.Runner, addrs []netip.Addr) error {
	if len(addrs) == 0 {
		return nil
	}
	s, ok, err := readSetInfo(ctx, r, setLearned)
	if err != nil {
		return fmt.Errorf("refresh learned addresses: %w", err)
	}
	if !ok || s.Timeout <= 0 {
		return nil // the policy does not learn
	}
	attrs := fmt.Sprintf(" timeout %ds expires %ds", s.Timeout, s.Timeout)
	list := addrList(addrs, attrs)
	if list == "" {
		return nil
	}
	addErr := load(ctx, r, fmt.Sprintf("add element %s %s { %s }\n", tableRef, setLearned, list))
	if addErr == nil {
		return nil
	}
	if !isFull(addErr) {
		return fmt.Errorf("refresh learned addresses: %w", addErr)
	}
	present, absent, err := held(ctx, r, addrs)
	if err != nil {
		return fmt.Errorf("refresh learned addresses: %w", err)
	}
	if list = addrList(present, attrs); list != "" {
		if err := load(ctx, r, fmt.Sprintf("add element %s %s { %s }\n", tableRef, setLearned, list)); err != nil {
			return fmt.Errorf("refresh learned addresses: %w", err)
		}
	}
	return fmt.Errorf("refresh learned addresses: %w (size %d): %s not added", ErrLearnedFull, s.Size, addrList(absent, ""))
}

// ErrLearnedFull says learn4 holds its maximum (RBRN_UPLINK_LEARN_MAX) and
// refused new addresses: they stay closed.
var ErrLearnedFull = firewall.ErrLearnedFull

// isFull reports whether nft failed because a set is at its size: the
// kernel's ENFILE, which nft prints as "Too many open files in system".
func isFull(err error) bool {
	var ee *runner.ExitError
	return errors.As(err, &ee) && strings.Contains(ee.Stderr, "Too many open files")
}

// held splits the IPv4 addresses among addrs into those learn4 holds and
// those it does not; without learn4 both are empty.
func held(ctx context.Context, r runner.Runner, addrs []netip.Addr) (present, absent []netip.Addr, err error) {
	s, ok, err := readSetElements(ctx, r, setLearned)
	if err != nil || !ok {
		return nil, nil, err
	}
	elems, err := s.elements()
	if err != nil {
		return nil, nil, err
	}
	in := map[netip.Addr]bool{}
	for _, e := range elems {
		in[e.Prefix.Addr()] = true
	}
	for _, a := range addrs {
		if a = a.Unmap(); !a.Is4() {
			continue
		}
		if in[a] {
			present = append(present, a)
		} else {
			absent = append(absent, a)
		}
	}
	return present, absent, nil
}

// addrList renders the IPv4 addresses among addrs as set elements, each
// followed by attrs; others cannot be in learn4 and are left out.
func addrList(addrs []netip.Addr, attrs string) string {
	var parts []string
	for _, a := range addrs {
		if a = a.Unmap(); a.Is4() {
			parts = append(parts, a.String()+attrs)
		}
	}
	return strings.Join(parts, ", ")
}

// Holds asks the kernel for one element: "nft get element" fails with "No
// such file or directory" when learn4 (or the element) is not there.
func Holds(ctx context.Context, r runner.Runner, addr netip.Addr) (bool, error) {
	if addr = addr.Unmap(); !addr.Is4() {
		return false, nil
	}
	_, err := r.Run(ctx, runner.Cmd{Name: "nft", Args: []string{"get", "element", family, tableName, setLearned, "{ " + addr.String() + " }"}})
	switch {
	case err == nil:
		return true, nil
	case isMissing(err):
		return false, nil
	}
	return false, fmt.Errorf("test learn4 for %s: %w", addr, err)
}
