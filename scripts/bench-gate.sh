#!/usr/bin/env bash
# bench-gate.sh: the name gate's cost through the real path. Two labs (rbm
# lab: network namespaces and veth pairs, documentation addresses only) run
# side by side, one with the gate on and one with RBRN_UPLINK_NAME_CHECK=off
# (the kernel forwards), both with port 5201 a checked learned port. In each
# round, alternating the two so machine drift moves both alike, the bottle
# resolves the learned name through the sentry and then, to the learned
# stand-in server across the sentry:
#   - bulk: a ClientHello for the name, one application-data record, then
#     BULK_SECONDS of data (scripts/gatebench: iperf3 sends no ClientHello,
#     which the gate refuses);
#   - connect: CONNS connections one after another, each to the server's
#     first byte after the ClientHello;
#   - iperf3 in the gate-off lab: the kernel path's ceiling, to show the
#     Go pair does not limit the bulk figures.
# Prints each round and the gate-on/gate-off ratios. RBM_BEFORE=/path/to/rbm
# (an older build) adds a third lab, gate on, running it: a change's
# before and after in the same run. Needs root and iperf3
# (scripts/install-deps.sh). Everything it creates is removed on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS="${RUNS:-3}"
BULK_SECONDS="${BULK_SECONDS:-5}"
CONNS="${CONNS:-2000}"
for v in RUNS BULK_SECONDS CONNS; do
  [[ "${!v}" =~ ^[1-9][0-9]{0,4}$ ]] || { echo "bench-gate: $v=${!v}: expected a whole number from 1 to 99999" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "bench-gate: the lab creates network namespaces: run as root" >&2; exit 2; }
command -v iperf3 >/dev/null || { echo "bench-gate: iperf3 is missing (scripts/install-deps.sh)" >&2; exit 2; }

port=5201
server=198.51.100.77 # the lab's learned stand-in (lab.Addresses.Learned)
name=learn.allowed.test
sentry=10.242.0.2
tag="gb$(printf '%04x' $((RANDOM % 65536)))"
dir=$(mktemp -d)
chmod 755 "$dir" # the bottle's user runs gatebench from it
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for gate in on off old; do "$dir/rbm" lab down --prefix "$tag$gate" >/dev/null 2>&1 || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'echo "bench-gate: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
go build -o "$dir/rbm" ./cmd/rbm
go build -o "$dir/gatebench" ./scripts/gatebench
gates=(on off)
if [ -n "${RBM_BEFORE:-}" ]; then
  [ -x "$RBM_BEFORE" ] || { echo "bench-gate: RBM_BEFORE=$RBM_BEFORE: expected an rbm binary" >&2; exit 2; }
  cp "$RBM_BEFORE" "$dir/rbm-old"
  gates+=(old)
fi

lab() { # gate role command...
  local gate=$1 role=$2
  shift 2
  timeout 120 "$dir/rbm" lab exec --prefix "$tag$gate" "$role" -- "$@"
}
for gate in "${gates[@]}"; do
  {
    echo "RBRN_UPLINK_NAME_PORTS=443 80 $port"
    echo "RBRN_UPLINK_LEARN_PORTS=80 443 22 $port"
    [ "$gate" = off ] && echo "RBRN_UPLINK_NAME_CHECK=off"
  } >"$dir/$gate.env"
  bin="$dir/rbm"
  [ "$gate" = old ] && bin="$dir/rbm-old"
  timeout 60 "$bin" lab up --prefix "$tag$gate" --nameplate "$dir/$gate.env" >/dev/null
  "$dir/rbm" lab exec --prefix "$tag$gate" wan -- "$dir/gatebench" server -listen "$server:$port" &
  pids+=($!)
done
"$dir/rbm" lab exec --prefix "${tag}off" wan -- iperf3 -s -B "$server" -p $((port + 1)) >/dev/null 2>&1 &
pids+=($!)
sleep 1

# measure gate: one round's bulk Gbit/s, conn/s and p50 ms, space-separated.
measure() {
  local gate=$1 b c
  lab "$gate" bottle "$dir/rbm" probe dns --server "$sentry" "$name" >/dev/null # learns the address
  b=$(lab "$gate" bottle "$dir/gatebench" bulk -to "$server:$port" -name "$name" -seconds "$BULK_SECONDS")
  c=$(lab "$gate" bottle "$dir/gatebench" connect -to "$server:$port" -name "$name" -count "$CONNS")
  echo "$(awk '{print $2}' <<<"$b") $(awk '{print $2, $7}' <<<"$c")"
}
printf '%-5s %-34s %-34s %-24s %s\n' round "gate on: Gbit/s conn/s p50-ms" "gate off: Gbit/s conn/s p50-ms" "ratio: bulk conn/s" "iperf3 off Gbit/s"
for r in $(seq "$RUNS"); do
  read -r bon con pon <<<"$(measure on)"
  read -r boff coff poff <<<"$(measure off)"
  [ -n "${RBM_BEFORE:-}" ] && read -r bold cold pold <<<"$(measure old)"
  ip3=$(lab off bottle iperf3 -c "$server" -p $((port + 1)) -t "$BULK_SECONDS" -f g | awk '/receiver/ {print $(NF-2)}')
  printf '%-5s %-34s %-34s %-24s %s\n' "$r" "$bon $con $pon" "$boff $coff $poff" \
    "$(awk -v a="$bon" -v b="$boff" -v c="$con" -v d="$coff" 'BEGIN {printf "%.2fx %.2fx", a/b, c/d}') +$(awk -v a="$pon" -v b="$poff" 'BEGIN {printf "%.3f ms", a-b}')" "$ip3"
  if [ -n "${RBM_BEFORE:-}" ]; then
    echo "      before (RBM_BEFORE, gate on): $bold Gbit/s $cold conn/s p50 $pold ms; after/before" \
      "$(awk -v a="$bon" -v b="$bold" -v c="$con" -v d="$cold" 'BEGIN {printf "%.2fx bulk %.2fx conn/s", a/b, c/d}')"
  fi
done
