package nftables

import (
	"context"
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
// the add does not refresh a present element, and the delete follows at
// once, in the same atomic commit.
func Forget(ctx context.Context, r runner.Runner, addrs []netip.Addr) error {
	list := addrList(addrs, "")
	if list == "" {
		return nil
	}
	doc := fmt.Sprintf("add element %s %s { %s }\ndelete element %s %s { %s }\n",
		tableRef, setLearned, list, tableRef, setLearned, list)
	if err := load(ctx, r, doc); err != nil {
		if _, exists, rerr := readSetInfo(ctx, r, setLearned); rerr == nil && !exists {
			return nil // no learned set, nothing to forget
		}
		return fmt.Errorf("forget learned addresses: %w", err)
	}
	return nil
}

// Refresh gives addrs learn4's full lifetime again. A plain "add element"
// of a present element leaves its expiry as it is (measured, kernel 6.18
// and nft 1.0.6; dnsmasq's nftset= does exactly that), while one with an
// explicit "timeout T expires T" resets it; so the set's timeout is read
// and every address re-added with it. Addresses not in the set are added:
// they were just answered.
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
	list := addrList(addrs, fmt.Sprintf(" timeout %ds expires %ds", s.Timeout, s.Timeout))
	if list == "" {
		return nil
	}
	if err := load(ctx, r, fmt.Sprintf("add element %s %s { %s }\n", tableRef, setLearned, list)); err != nil {
		return fmt.Errorf("refresh learned addresses: %w", err)
	}
	return nil
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
