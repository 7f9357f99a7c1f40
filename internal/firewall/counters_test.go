package firewall

import (
	"maps"
	"slices"
	"testing"
)

func TestDeltaAndMoved(t *testing.T) {
	before := Snapshot{
		Rules:    map[string]Counter{"rbm:a": {1, 100}, "rbm:b": {5, 500}, "rbm:c": {9, 900}},
		Policies: map[string]Counter{"filter/FORWARD": {2, 20}},
	}
	after := Snapshot{
		Rules:    map[string]Counter{"rbm:a": {4, 400}, "rbm:b": {5, 500}, "rbm:c": {2, 200}, "rbm:new": {1, 60}},
		Policies: map[string]Counter{"filter/FORWARD": {3, 30}},
	}
	d := after.Delta(before)
	want := map[string]Counter{
		"rbm:a":   {3, 300},
		"rbm:b":   {0, 0},
		"rbm:c":   {2, 200}, // reset by a reload: all of it is new
		"rbm:new": {1, 60},
	}
	if !maps.Equal(d.Rules, want) {
		t.Errorf("delta = %v, want %v", d.Rules, want)
	}
	if d.Policies["filter/FORWARD"] != (Counter{1, 10}) {
		t.Errorf("policy delta = %v", d.Policies)
	}
	if got := d.Moved(); !slices.Equal(got, []string{"rbm:a", "rbm:c", "rbm:new"}) {
		t.Errorf("moved = %q", got)
	}
	if got := (Snapshot{}).Moved(); len(got) != 0 {
		t.Errorf("empty snapshot moved %q", got)
	}
}
