package bench

import (
	"net"
	"testing"
	"time"

	"github.com/recipe-bottle/rbm/internal/policy"
	"github.com/recipe-bottle/rbm/internal/testns"
)

// forbidden is outside every allowed CIDR of benchPolicy; nothing listens
// there (no packet reaches the wan: the sentry refuses it).
const forbidden = "198.51.100.99:443"

// connectTimeout is the program's own patience in the drop case: with no
// timeout at all Linux gives up a connect after tcp_syn_retries (6 by
// default: about 127 s).
const connectTimeout = 2 * time.Second

// BenchmarkForbiddenConnect measures, per backend and RBRN_UPLINK_DENY
// setting, how long a program in the bottle waits for a forbidden connect
// to fail (ns/op; ms-to-failure is the same figure in milliseconds). With
// drop it waits for its own timeout; with reject the sentry's reset ends it.
//
//	sudo go test ./internal/firewall/bench -run '^$' -bench ForbiddenConnect -benchtime 20x
func BenchmarkForbiddenConnect(b *testing.B) {
	testns.NeedRoot(b, "iptables-restore", "ipset", "nft")
	for _, backend := range []string{"iptables", "nftables"} {
		for _, deny := range []policy.Deny{policy.DenyDrop, policy.DenyReject} {
			b.Run(backend+"/"+string(deny), func(b *testing.B) {
				w := newWorld(b)
				p := benchPolicy(1, false)
				p.Deny = deny
				w.load(b, backend, p, nil)
				var total time.Duration
				b.ResetTimer()
				err := testns.Do(w.bottle, func() error {
					dl := net.Dialer{Timeout: connectTimeout}
					for range b.N {
						t0 := time.Now()
						c, err := dl.Dial("tcp4", forbidden)
						total += time.Since(t0)
						if err == nil {
							c.Close()
							b.Fatalf("connected to %s: the sentry let it through", forbidden)
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(total.Seconds()*1000/float64(b.N), "ms-to-failure")
			})
		}
	}
}
