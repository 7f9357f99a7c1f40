package probe

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// littleEndian skips a test whose expected bytes are written for a
// little-endian host (netlink headers are in host byte order).
func littleEndian(t *testing.T) {
	t.Helper()
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("expected bytes are written for a little-endian host")
	}
}

func TestRouteMessageBytes(t *testing.T) {
	littleEndian(t)
	cases := []struct {
		name  string
		got   []byte
		bytes []byte
	}{{
		name: "add IPv4",
		got: routeMessage(unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_EXCL, 7,
			netip.MustParsePrefix("198.51.100.128/25")),
		bytes: []byte{
			0x24, 0, 0, 0, // nlmsg_len 36
			0x18, 0, // RTM_NEWROUTE
			0x05, 0x06, // NLM_F_REQUEST|NLM_F_ACK|NLM_F_EXCL|NLM_F_CREATE
			7, 0, 0, 0, // nlmsg_seq
			0, 0, 0, 0, // nlmsg_pid: the kernel
			unix.AF_INET, 25, 0, 0, // family, dst_len, src_len, tos
			0xfe, 4, 0, 6, // main table, RTPROT_STATIC, universe, RTN_BLACKHOLE
			0, 0, 0, 0, // rtm_flags
			8, 0, 1, 0, // rta_len 8, RTA_DST
			198, 51, 100, 128,
		},
	}, {
		name: "delete IPv6",
		got:  routeMessage(unix.RTM_DELROUTE, 0, 8, netip.MustParsePrefix("2001:db8::/32")),
		bytes: append([]byte{
			0x30, 0, 0, 0, // nlmsg_len 48
			0x19, 0, // RTM_DELROUTE
			0x05, 0, // NLM_F_REQUEST|NLM_F_ACK
			8, 0, 0, 0,
			0, 0, 0, 0,
			unix.AF_INET6, 32, 0, 0,
			0xfe, 4, 0, 6,
			0, 0, 0, 0,
			20, 0, 1, 0, // rta_len 20, RTA_DST
			0x20, 0x01, 0x0d, 0xb8,
		}, make([]byte, 12)...),
	}}
	for _, c := range cases {
		if !bytes.Equal(c.got, c.bytes) {
			t.Errorf("%s:\n got % x\nwant % x", c.name, c.got, c.bytes)
		}
	}
}

// TestRouteMessageParses reads a request back with the standard library's
// own netlink decoder, which knows nothing of how it was built.
func TestRouteMessageParses(t *testing.T) {
	p := netip.MustParsePrefix("203.0.113.0/24")
	msgs, err := syscall.ParseNetlinkMessage(routeMessage(unix.RTM_NEWROUTE, 0, 42, p))
	if err != nil || len(msgs) != 1 {
		t.Fatalf("ParseNetlinkMessage: %d messages, %v", len(msgs), err)
	}
	if h := msgs[0].Header; h.Type != unix.RTM_NEWROUTE || h.Seq != 42 || h.Flags&unix.NLM_F_ACK == 0 {
		t.Errorf("header %+v", h)
	}
	attrs, err := syscall.ParseNetlinkRouteAttr(&msgs[0])
	if err != nil || len(attrs) != 1 || attrs[0].Attr.Type != unix.RTA_DST {
		t.Fatalf("attributes %+v, %v; want one RTA_DST", attrs, err)
	}
	if got, _ := netip.AddrFromSlice(attrs[0].Value); got != p.Addr() {
		t.Errorf("RTA_DST %s, want %s", got, p.Addr())
	}
}

// nlErrMsg builds an NLMSG_ERROR message acknowledging seq with code.
func nlErrMsg(seq uint32, code int32) []byte {
	ne := binary.NativeEndian
	b := ne.AppendUint32(nil, unix.SizeofNlMsghdr+4+unix.SizeofNlMsghdr)
	b = ne.AppendUint16(b, unix.NLMSG_ERROR)
	b = ne.AppendUint16(b, 0)
	b = ne.AppendUint32(b, seq)
	b = ne.AppendUint32(b, 0)
	b = ne.AppendUint32(b, uint32(code))
	return append(b, make([]byte, unix.SizeofNlMsghdr)...) // the request's header
}

func TestParseAck(t *testing.T) {
	cases := []struct {
		name  string
		in    []byte
		errno unix.Errno
		found bool
		bad   bool
	}{
		{"accepted", nlErrMsg(3, 0), 0, true, false},
		{"EPERM", nlErrMsg(3, -int32(unix.EPERM)), unix.EPERM, true, false},
		{"other request", nlErrMsg(2, 0), 0, false, false},
		{"second of two", append(nlErrMsg(2, 0), nlErrMsg(3, -int32(unix.EEXIST))...), unix.EEXIST, true, false},
		{"truncated", nlErrMsg(3, 0)[:20], 0, false, true},
		{"empty", nil, 0, false, false},
	}
	for _, c := range cases {
		errno, found, err := parseAck(c.in, 3)
		if errno != c.errno || found != c.found || (err != nil) != c.bad {
			t.Errorf("%s: got %v %v %v, want %v %v error=%v", c.name, errno, found, err, c.errno, c.found, c.bad)
		}
	}
}

func TestRouteFailed(t *testing.T) {
	for _, c := range []struct {
		errno unix.Errno
		want  Outcome
	}{{unix.EPERM, Denied}, {unix.EEXIST, Error}, {unix.EINVAL, Error}} {
		r := routeFailed(&nlError{op: "RTM_NEWROUTE 198.51.100.128/25", errno: c.errno})
		if r.Outcome != c.want || !strings.Contains(r.Detail, unix.ErrnoName(c.errno)) {
			t.Errorf("%s: %s %q, want %s naming the errno", unix.ErrnoName(c.errno), r.Outcome, r.Detail, c.want)
		}
	}
	if r := routeFailed(errNoAck); r.Outcome != Timeout {
		t.Errorf("no acknowledgement: %s, want timeout", r.Outcome)
	}
}

func TestSysctlPath(t *testing.T) {
	for key, want := range map[string]string{
		"net.ipv4.conf.all.forwarding":     "/proc/sys/net/ipv4/conf/all/forwarding",
		"net/ipv4/conf/eth0.100/rp_filter": "/proc/sys/net/ipv4/conf/eth0.100/rp_filter",
		"kernel.hostname":                  "",
		"net":                              "",
		"net/../kernel/hostname":           "",
		"net..ipv4":                        "",
	} {
		got, err := sysctlPath(key)
		if got != want || (err != nil) != (want == "") {
			t.Errorf("sysctlPath(%q) = %q, %v; want %q", key, got, err, want)
		}
	}
}

func TestSysctlFailed(t *testing.T) {
	for errno, want := range map[unix.Errno]Outcome{
		unix.EACCES: Denied, unix.EPERM: Denied, unix.EROFS: Denied, unix.EINVAL: Error,
	} {
		r := sysctlFailed("net.x", &os.PathError{Op: "open", Path: "/proc/sys/net/x", Err: errno})
		if r.Outcome != want || !strings.Contains(r.Detail, unix.ErrnoName(errno)) {
			t.Errorf("%s: %s %q, want %s naming the errno", unix.ErrnoName(errno), r.Outcome, r.Detail, want)
		}
	}
}
