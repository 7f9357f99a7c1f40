package verify

import (
	"strings"
	"testing"
)

func TestSelect(t *testing.T) {
	cases := []Case{{Name: "dns/a"}, {Name: "dns/b"}, {Name: "gate/no-sni"}, {Name: "egress/x"}}
	names := func(s Selection) string {
		var n []string
		for _, c := range s.Cases {
			n = append(n, c.Name)
		}
		return strings.Join(n, " ")
	}
	for _, tc := range []struct {
		patterns  []string
		want      string
		wantTotal bool
		wantErr   string
	}{
		{nil, "dns/a dns/b gate/no-sni egress/x", true, ""},
		{[]string{"dns/*"}, "dns/a dns/b", false, ""},
		{[]string{"egress/x", "dns/b"}, "dns/b egress/x", false, ""}, // battery order, not the patterns'
		{[]string{"gate/no-sni", ForwardCaseName}, "gate/no-sni", true, ""},
		{[]string{"request/*"}, "", true, ""}, // only the closing case
		{[]string{"dns/*", "dsn/*"}, "", false, `--case "dsn/*" matches no case`},
		{[]string{"dns/["}, "", false, `--case "dns/[": syntax error in pattern`},
	} {
		s, err := Select(cases, tc.patterns)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Select(%q) = %v, want error containing %q", tc.patterns, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Select(%q): %v", tc.patterns, err)
			continue
		}
		if got := names(s); got != tc.want || s.Total != tc.wantTotal {
			t.Errorf("Select(%q) = %q total %v, want %q total %v", tc.patterns, got, s.Total, tc.want, tc.wantTotal)
		}
	}
}
