#!/usr/bin/env bash
# soak.sh: drive a lab bottle for a while with mixed traffic (allowed and
# refused names and connections, HTTPS through the name gate, floods of
# random names and of forbidden packets) through reloads and dnsmasq
# restarts, and report the sentry's and dnsmasq's memory, open files and
# learned-set size at the start and the end. Everything happens inside the
# lab's own namespaces (documentation addresses, names under .test).
#
#   sudo scripts/soak.sh [--minutes N] [--backend iptables|nftables]
#
# Needs root, Go and the lab's packages (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PATH:/usr/local/go/bin"
minutes=5 backend=iptables
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --backend) backend="$2"; shift 2 ;;
    *) echo "soak: unknown argument $1 (want --minutes N, --backend iptables|nftables)" >&2; exit 2 ;;
  esac
done
[[ "$minutes" =~ ^[0-9]+$ ]] && [ "$minutes" -ge 1 ] && [ "$minutes" -le 600 ] || { echo "soak: --minutes $minutes: want 1-600" >&2; exit 2; }
[[ "$backend" =~ ^(iptables|nftables)$ ]] || { echo "soak: --backend $backend: want iptables or nftables" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "soak: must run as root (network namespaces)" >&2; exit 2; }

bin=$(mktemp -d /tmp/rbm-soak.XXXXXX)
chmod 0755 "$bin" # the bottle's user runs rbm from here
prefix="soak$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
CGO_ENABLED=0 go build -o "$bin/rbm" ./cmd/rbm
rbm="$bin/rbm"
nameplate="$bin/nameplate.env"
echo "RBRR_FIREWALL_BACKEND=$backend" > "$bin/regime.env"
trap '"$rbm" lab down --prefix "$prefix" >/dev/null 2>&1 || true; rm -rf "$bin"' EXIT
"$rbm" lab up --prefix "$prefix" --regime "$bin/regime.env" >/dev/null
state="/run/rbm/lab/$prefix"
sentry_ns="$prefix-sentry"
lab() { jq -r "$1" "$state/lab.json"; }
sentry_ip=$(lab .policy.SentryIP) forbidden=$(lab .addresses.forbidden) allowed=$(lab .addresses.allowed) learned_addr=$(lab .addresses.learned)

# pid_of COMM: the process of that name in the sentry's namespace.
pid_of() { for p in $(ip netns pids "$sentry_ns"); do [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$1" ] && echo "$p" && return; done; }
rss() { awk '/^VmRSS/ {print $2}' /proc/"$1"/status; }
fds() { ls /proc/"$1"/fd | wc -l; }
learned() {
  if [ "$backend" = iptables ]; then
    ip netns exec "$sentry_ns" ipset list rbm-learn4 -t | awk -F': ' '/Number of entries/ {print $2}'
  else
    ip netns exec "$sentry_ns" nft -j list set inet rbm learn4 | jq '[.nftables[] | .set? | select(.) | .elem // [] | length] | add // 0'
  fi
}
report() {
  local s d
  s=$(pid_of rbm) d=$(pid_of dnsmasq)
  printf 'soak: %-5s sentry rss %6s KiB fds %4s | dnsmasq rss %6s KiB fds %4s | learned %s\n' \
    "$1" "$(rss "$s")" "$(fds "$s")" "$(rss "$d")" "$(fds "$d")" "$(learned)"
}

round() {
  local n=$1 specs
  specs=$(jq -nc --arg s "$sentry_ip:53" --arg f "$forbidden:443" --arg a "$allowed:443" --arg l "learn.allowed.test:443:$learned_addr" --argjson n "$n" '[
    {kind:"dns", server:$s, name:"allowed.test", timeout:"2s"},
    {kind:"dns", server:$s, name:("r\($n).forbidden.test"), timeout:"2s"},
    {kind:"dns", server:$s, name:"learn.allowed.test", timeout:"2s"},
    {kind:"https", url:"https://learn.allowed.test/", resolve:$l, timeout:"2s", insecure:true},
    {kind:"tcp", target:$a, timeout:"1s"},
    {kind:"tcp", target:$f, timeout:"300ms"},
    {kind:"udp-flood", target:($f | sub(":443"; ":9")), count:500}
  ]')
  "$rbm" lab exec --prefix "$prefix" bottle -- "$rbm" probe batch <<<"$specs" >/dev/null || true
}

report start
began=$(date +%s)
end=$(( began + minutes * 60 )) n=0 next=$(( began + 300 ))
while [ "$(date +%s)" -lt "$end" ]; do
  n=$((n + 1))
  if [ "$(date +%s)" -ge "$next" ]; then  # every 5 minutes: does it level off?
    report "$(( (next - began) / 60 ))m"
    next=$(( next + 300 ))
  fi
  round "$n"
  if [ $((n % 20)) -eq 0 ]; then   # a reload that changes the allowlist, and back
    sed -i 's/^RBRN_UPLINK_ALLOWED_DOMAINS=.*/& soak.test/' "$state/sentry.env"
    kill -HUP "$(pid_of rbm)"
  fi
  if [ $((n % 20)) -eq 10 ]; then
    sed -i 's/ soak.test//' "$state/sentry.env"
    kill -HUP "$(pid_of rbm)"
  fi
  if [ $((n % 50)) -eq 25 ]; then  # dnsmasq dies; the supervisor restarts it
    kill -KILL "$(pid_of dnsmasq)" || true
    sleep 1
  fi
done
report end
echo "soak: $n rounds in $minutes min on $backend; sentry ready: $("$rbm" lab exec --prefix "$prefix" sentry -- "$rbm" sentry ready --state-dir "$state/sentry" >/dev/null 2>&1 && echo yes || echo NO)"
