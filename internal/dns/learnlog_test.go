package dns

import (
	"net/netip"
	"reflect"
	"testing"
)

func TestLearnLog(t *testing.T) {
	var l LearnLog
	lines := []string{
		"dnsmasq[7]: query[A] learn.allowed.test from 10.242.0.3",
		"dnsmasq[7]: forwarded learn.allowed.test to 198.51.100.53",
		"dnsmasq[7]: ipset add rbm-learn4 198.51.100.77 allowed.test",
		"dnsmasq[7]: reply learn.allowed.test is 198.51.100.77",
		"dnsmasq[7]: query[A] www.cdn.test from 10.242.0.3",
		"dnsmasq[7]: nftset add 4 inet rbm learn4 203.0.113.5 cdn.test",
		"dnsmasq[7]: nftset add 4 inet rbm learn4 203.0.113.6 cdn.test",
		"dnsmasq[7]: reply www.cdn.test is <CNAME>",
		"dnsmasq[7]: reply edge.other.test is 203.0.113.5",
		"dnsmasq[7]: reply edge.other.test is 203.0.113.6",
		"dnsmasq[7]: reply forbidden.test is NXDOMAIN",
		"dnsmasq[7]: ipset add rbm-learn4 203.0.113.9 allowed.test",
		"dnsmasq[7]: query[A] x.test from 10.242.0.3", // the pending add never got its reply
		"dnsmasq[7]: reply x.test is 203.0.113.9",
		"dnsmasq[7]: query[A] learn2.allowed.test from 10.242.0.3",
		"dnsmasq[7]: nftset inet rbm learn4 Error: Could not process rule: Too many open files in system",
		"dnsmasq[7]: reply learn2.allowed.test is 198.51.100.78",
	}
	var got []Learned
	for _, line := range lines {
		got = append(got, l.Line(line)...)
	}
	want := []Learned{
		{Addr: netip.MustParseAddr("198.51.100.77"), Domain: "allowed.test", Name: "learn.allowed.test"},
		{Addr: netip.MustParseAddr("203.0.113.5"), Domain: "cdn.test", Name: "www.cdn.test"},
		{Addr: netip.MustParseAddr("203.0.113.6"), Domain: "cdn.test", Name: "www.cdn.test"},
		{Addr: netip.MustParseAddr("198.51.100.78"), Name: "learn2.allowed.test", Refused: "Could not process rule: Too many open files in system"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}
