package nftables

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"time"

	"github.com/recipe-bottle/rbm/internal/firewall"
)

// listing is the output of "nft -j list ...": a flat list of objects, each
// holding one table, chain, set or rule (plus a metainfo object).
type listing struct {
	Nftables []object `json:"nftables"`
}

type object struct {
	Table *jsonTable `json:"table"`
	Chain *jsonChain `json:"chain"`
	Set   *jsonSet   `json:"set"`
	Rule  *jsonRule  `json:"rule"`
}

type jsonTable struct {
	Family string `json:"family"`
	Name   string `json:"name"`
}

type jsonChain struct {
	Family string `json:"family"`
	Table  string `json:"table"`
	Name   string `json:"name"`
	Hook   string `json:"hook"` // empty for a regular chain
	Policy string `json:"policy"`
}

type jsonSet struct {
	Family  string            `json:"family"`
	Table   string            `json:"table"`
	Name    string            `json:"name"`
	Size    int               `json:"size"`
	Timeout int               `json:"timeout"` // seconds
	Elem    []json.RawMessage `json:"elem"`
}

type jsonRule struct {
	Family  string                       `json:"family"`
	Table   string                       `json:"table"`
	Chain   string                       `json:"chain"`
	Comment string                       `json:"comment"`
	Expr    []map[string]json.RawMessage `json:"expr"`
}

type jsonCounter struct {
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
}

func (c jsonCounter) counter() firewall.Counter {
	return firewall.Counter{Packets: c.Packets, Bytes: c.Bytes}
}

// element is one set element as rbm's sets hold them: an address or prefix,
// with its counter and, in a timeout set, its remaining lifetime.
type element struct {
	Prefix  netip.Prefix
	Expires time.Duration
	Counter firewall.Counter
}

// parseListing decodes nft's JSON output.
func parseListing(text []byte) (listing, error) {
	var l listing
	if err := json.Unmarshal(text, &l); err != nil {
		return listing{}, fmt.Errorf("decode nft JSON: %w", err)
	}
	return l, nil
}

// elements decodes the set's elements. nft prints a bare value for an
// element without attributes and {"elem": {"val": ..., ...}} otherwise; a
// value is an address, {"prefix": {...}} or {"range": [...]}. Ranges never
// occur in rbm's sets (no auto-merge) and are skipped.
func (s jsonSet) elements() ([]element, error) {
	var out []element
	for _, raw := range s.Elem {
		var wrapped struct {
			Elem *struct {
				Val     json.RawMessage `json:"val"`
				Expires int64           `json:"expires"`
				Counter *jsonCounter    `json:"counter"`
			} `json:"elem"`
		}
		val := raw
		var e element
		if json.Unmarshal(raw, &wrapped) == nil && wrapped.Elem != nil {
			val = wrapped.Elem.Val
			e.Expires = time.Duration(wrapped.Elem.Expires) * time.Second
			if wrapped.Elem.Counter != nil {
				e.Counter = wrapped.Elem.Counter.counter()
			}
		}
		p, ok, err := parseValue(val)
		if err != nil {
			return nil, fmt.Errorf("set %s: %w", s.Name, err)
		}
		if ok {
			e.Prefix = p
			out = append(out, e)
		}
	}
	return out, nil
}

// parseValue reads an address ("192.0.2.9", a /32) or a prefix object.
func parseValue(raw json.RawMessage) (netip.Prefix, bool, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, false, fmt.Errorf("bad element %s: %w", raw, err)
		}
		return netip.PrefixFrom(a, a.BitLen()), true, nil
	}
	var obj struct {
		Prefix *struct {
			Addr string `json:"addr"`
			Len  int    `json:"len"`
		} `json:"prefix"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return netip.Prefix{}, false, fmt.Errorf("bad element %s: %w", raw, err)
	}
	if obj.Prefix == nil {
		return netip.Prefix{}, false, nil
	}
	a, err := netip.ParseAddr(obj.Prefix.Addr)
	if err != nil {
		return netip.Prefix{}, false, fmt.Errorf("bad prefix element %s: %w", raw, err)
	}
	p, err := a.Prefix(obj.Prefix.Len)
	if err != nil {
		return netip.Prefix{}, false, fmt.Errorf("bad prefix element %s: %w", raw, err)
	}
	return p, true, nil
}
