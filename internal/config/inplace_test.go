package config

import "testing"

func TestChanges(t *testing.T) {
	live := mustResolve(t, map[string]string{"RBRN_UPLINK_ACCESS_ENABLED": "true", "RBRN_UPLINK_ALLOWED_CIDRS": "203.0.113.0/24"})
	same := mustResolve(t, map[string]string{"RBRN_UPLINK_ACCESS_ENABLED": "true", "RBRN_UPLINK_ALLOWED_CIDRS": " 203.0.113.0/24 ,"})
	if in, re := same.Changes(live); len(in)+len(re) != 0 {
		t.Errorf("the same list written differently: %v %v", in, re)
	}
	next := mustResolve(t, map[string]string{"RBRN_UPLINK_ACCESS_ENABLED": "true", "RBRN_UPLINK_ALLOWED_CIDRS": "198.51.100.7/32", "RBRR_BOTTLE_IP": "10.242.0.9"})
	in, re := next.Changes(live)
	if len(in) != 1 || in[0] != (Change{"RBRN_UPLINK_ALLOWED_CIDRS", "203.0.113.0/24", "198.51.100.7/32"}) {
		t.Errorf("in place: %+v", in)
	}
	if len(re) != 1 || re[0].Name != "RBRR_BOTTLE_IP" || re[0].To != "10.242.0.9" {
		t.Errorf("restart: %+v", re)
	}
}

func mustResolve(t *testing.T, kv map[string]string) *Config {
	t.Helper()
	l := map[string]Setting{}
	for k, v := range kv {
		l[k] = Setting{Value: v, Origin: "test"}
	}
	c, _, err := Resolve(l)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
